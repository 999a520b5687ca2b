package io.jvmm.core.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** CpuPowerController: the paravirtual start-cpu interface at 0x530-0x53f. */
class CpuPowerControllerTest {
    private static final int SIGNATURE = 0x0;
    private static final int ENTRY = 0x4;
    private static final int ARG = 0x8;
    private static final int START = 0xc;

    private final RecordingGuestRequests machine = new RecordingGuestRequests();
    private final CpuPowerController ctl = new CpuPowerController(machine, 4);

    @Test
    void portsAndSignature() {
        assertEquals(0x530, CpuPowerController.BASE);
        assertEquals(16, CpuPowerController.SIZE);
        assertEquals(0x4350564A, ctl.read(SIGNATURE, 4, 0));
        assertEquals(0x4350564A, ctl.read(SIGNATURE, 4, 3));
        // "JVPC" in memory order when stored little-endian
        assertEquals('J', 0x4350564A & 0xff);
    }

    @Test
    void startPassesTheCallersLatchesToTheMachine() {
        ctl.write(ENTRY, 4, 0x8000, 0);
        ctl.write(ARG, 4, 0x1234, 0);
        ctl.write(START, 4, 2, 0);
        assertEquals(List.of(new RecordingGuestRequests.Start(0, 2, 0x8000, 0x1234)), machine.starts);
    }

    @Test
    void latchesOfTwoCallersAreKeptApart() {
        // interleaved: CPU 0 and CPU 1 each set up a start before either fires
        ctl.write(ENTRY, 4, 0x8000, 0);
        ctl.write(ENTRY, 4, 0x9000, 1);
        ctl.write(ARG, 4, 0x1111, 1);
        ctl.write(ARG, 4, 0x2222, 0);
        ctl.write(START, 4, 3, 1);
        ctl.write(START, 4, 2, 0);
        assertEquals(List.of(new RecordingGuestRequests.Start(1, 3, 0x9000, 0x1111),
                new RecordingGuestRequests.Start(0, 2, 0x8000, 0x2222)), machine.starts);
    }

    @Test
    void resultRegisterIsPerCaller() {
        machine.answer(GuestRequests.START_NOT_POWERED_OFF, GuestRequests.START_OK, GuestRequests.START_BAD_ENTRY);
        ctl.write(START, 4, 1, 0);
        ctl.write(START, 4, 2, 1);
        ctl.write(START, 4, 7, 2);
        assertEquals(2, ctl.read(START, 4, 0));
        assertEquals(0, ctl.read(START, 4, 1));
        assertEquals(3, ctl.read(START, 4, 2));
        assertEquals(0, ctl.read(START, 4, 3), "a CPU that never started one reads 0");
        machine.answer(GuestRequests.START_NO_SUCH_CPU);
        ctl.write(START, 4, 9, 0);
        assertEquals(1, ctl.read(START, 4, 0), "the last start counts");
        assertEquals(0, ctl.read(START, 4, 1));
    }

    @Test
    void latchesAre32BitAndKeptAcrossStarts() {
        ctl.write(ENTRY, 4, 0x1_0000_8000L, 1);
        ctl.write(ARG, 4, 0xffff_ffff_8765_4321L, 1);
        ctl.write(START, 4, 0, 1);
        ctl.write(START, 4, 3, 1);
        assertEquals(List.of(new RecordingGuestRequests.Start(1, 0, 0x8000, 0x8765_4321L),
                new RecordingGuestRequests.Start(1, 3, 0x8000, 0x8765_4321L)), machine.starts);
    }

    @Test
    void otherPortsReadAllOnesAndIgnoreWrites() {
        assertEquals(0xffffffffL, ctl.read(ENTRY, 4, 0), "the latches are write-only");
        assertEquals(0xffffffffL, ctl.read(ARG, 4, 0));
        ctl.write(0x2, 2, 0x55, 0);
        assertEquals(0, machine.starts.size());
    }

    @Test
    void resetClearsLatchesAndResults() {
        machine.answer(GuestRequests.START_BAD_ENTRY);
        ctl.write(ENTRY, 4, 0x8000, 2);
        ctl.write(ARG, 4, 7, 2);
        ctl.write(START, 4, 1, 2);
        assertEquals(3, ctl.read(START, 4, 2));
        ctl.reset();
        assertEquals(0, ctl.read(START, 4, 2));
        ctl.write(START, 4, 1, 2);
        assertEquals(new RecordingGuestRequests.Start(2, 1, 0, 0), machine.starts.get(1));
    }
}
