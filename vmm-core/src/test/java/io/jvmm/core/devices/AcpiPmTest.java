package io.jvmm.core.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** AcpiPm: the PM1a event and control registers (ACPI 6.x section 4.8.3), and S5 power-off. */
class AcpiPmTest {
    private static final int PM1_STS = 0;
    private static final int PM1_EN = 2;
    private static final int PM1_CNT = 4;
    private static final int SCI_EN = 1;
    private static final int SLP_EN = 1 << 13;

    private final RecordingGuestRequests machine = new RecordingGuestRequests();
    private final List<Boolean> sci = new java.util.ArrayList<>();
    private final AcpiPm pm = new AcpiPm(machine, sci::add);

    private static int slpTyp(int typ) {
        return typ << 10;
    }

    @Test
    void layoutMatchesTheFadt() {
        assertEquals(0x600, AcpiPm.BASE);
        assertEquals(AcpiPm.BASE, AcpiPm.PM1_EVT);
        assertEquals(AcpiPm.BASE + 4, AcpiPm.PM1_CNT);
        assertEquals(6, AcpiPm.SIZE);
        assertEquals(5, AcpiPm.SLP_TYP_S5);
    }

    @Test
    void thePowerButtonRaisesTheSciOnlyWhileEnabledAndUntilItsStatusIsCleared() {
        pm.pressPowerButton();
        assertEquals(AcpiPm.PWRBTN, pm.read(PM1_STS, 2, 0), "PWRBTN_STS is set even while disabled");
        assertEquals(List.of(), sci, "no SCI while PWRBTN_EN is clear");
        pm.write(PM1_EN, 2, AcpiPm.PWRBTN, 0);
        assertEquals(List.of(true), sci, "enabling a pending event raises the SCI");
        pm.write(PM1_STS, 2, 0x0001, 0);
        assertEquals(List.of(true), sci, "clearing another status bit leaves it raised");
        pm.write(PM1_STS, 2, AcpiPm.PWRBTN, 0);
        assertEquals(List.of(true, false), sci, "writing 1 to PWRBTN_STS clears it and lowers the SCI");
        assertEquals(0, pm.read(PM1_STS, 2, 0));
        pm.pressPowerButton();
        assertEquals(List.of(true, false, true), sci);
        pm.reset();
        assertEquals(List.of(true, false, true, false), sci, "a reset lowers it");
        assertTrue(machine.powerOffs.isEmpty(), "a press alone powers nothing off");
    }

    @Test
    void withSciEnClearThePowerButtonRaisesNoSci() {
        pm.write(PM1_CNT, 2, 0, 0);
        pm.write(PM1_EN, 2, AcpiPm.PWRBTN, 0);
        pm.pressPowerButton();
        assertEquals(List.of(), sci);
    }

    @Test
    void sciEnIsSetAtPowerOn() {
        assertEquals(SCI_EN, pm.read(PM1_CNT, 2, 0), "SMI_CMD is 0, so the machine is always in ACPI mode");
        assertEquals(0, pm.read(PM1_STS, 2, 0));
        assertEquals(0, pm.read(PM1_EN, 2, 0));
    }

    @Test
    void s5WithSlpEnPowersOffExactlyOnce() {
        pm.write(PM1_CNT, 2, slpTyp(5) | SLP_EN | SCI_EN, 2);
        assertEquals(List.of(2), machine.powerOffs, "once, from the writing CPU");
        assertEquals(slpTyp(5) | SCI_EN, pm.read(PM1_CNT, 2, 0), "SLP_EN is write-only: reads as 0");
        // nothing more happens until the guest writes SLP_EN again
        pm.read(PM1_CNT, 2, 0);
        pm.write(PM1_EN, 2, 0, 0);
        pm.write(PM1_CNT, 2, slpTyp(5) | SCI_EN, 0);
        assertEquals(List.of(2), machine.powerOffs);
    }

    @Test
    void s5ThroughTheHighByteAlonePowersOff() {
        pm.write(PM1_CNT + 1, 1, (slpTyp(5) | SLP_EN) >> 8, 1);
        assertEquals(List.of(1), machine.powerOffs);
        assertEquals(SCI_EN, pm.read(PM1_CNT, 1, 0), "the low byte is untouched");
    }

    @Test
    void s5ThroughAFourByteWriteOfTheControlBlock() {
        pm.write(PM1_CNT, 4, slpTyp(5) | SLP_EN, 0);
        assertEquals(List.of(0), machine.powerOffs);
    }

    @Test
    void otherSleepTypesDoNotPowerOff() {
        for (int typ : new int[] {0, 1, 2, 3, 4, 6, 7}) {
            pm.write(PM1_CNT, 2, slpTyp(typ) | SLP_EN | SCI_EN, 0);
            assertEquals(slpTyp(typ) | SCI_EN, pm.read(PM1_CNT, 2, 0), "SLP_EN cleared for type " + typ);
        }
        assertTrue(machine.powerOffs.isEmpty());
    }

    @Test
    void s5WithoutSlpEnDoesNotPowerOff() {
        pm.write(PM1_CNT, 2, slpTyp(5) | SCI_EN, 0);
        assertTrue(machine.powerOffs.isEmpty());
        assertEquals(slpTyp(5) | SCI_EN, pm.read(PM1_CNT, 2, 0));
        pm.write(PM1_CNT, 2, slpTyp(5) | SLP_EN | SCI_EN, 0); // the ACPI two-step: type first, then enable
        assertEquals(1, machine.powerOffs.size());
    }

    @Test
    void statusBitsAreWriteOneToClearAndNeverSetByWrites() {
        pm.write(PM1_STS, 2, 0xffff, 0);
        assertEquals(0, pm.read(PM1_STS, 2, 0), "writing ones clears; it never sets");
        assertEquals(0, pm.read(PM1_EN, 2, 0), "the enable register is not hit by a status write");
    }

    @Test
    void enableRegisterHoldsWhatIsWritten() {
        pm.write(PM1_EN, 2, 0x0121, 0);
        assertEquals(0x0121, pm.read(PM1_EN, 2, 0));
        assertEquals(0x21, pm.read(PM1_EN, 1, 0));
        assertEquals(0x01, pm.read(PM1_EN + 1, 1, 0));
        pm.write(PM1_EN + 1, 1, 0x80, 0);
        assertEquals(0x8021, pm.read(PM1_EN, 2, 0));
        assertEquals(0x8021L << 16, pm.read(PM1_STS, 4, 0), "status and enable as one dword");
    }

    @Test
    void resetRestoresPowerOnValues() {
        pm.write(PM1_EN, 2, 0x0121, 0);
        pm.write(PM1_CNT, 2, slpTyp(3), 0);
        pm.reset();
        assertEquals(0, pm.read(PM1_EN, 2, 0));
        assertEquals(SCI_EN, pm.read(PM1_CNT, 2, 0));
        assertEquals(0, pm.read(PM1_STS, 2, 0));
    }
}
