package io.jvmm.core.devices;

/**
 * The ACPI fixed-hardware power-management registers the FADT points at: PM1a event block at
 * {@link #PM1_EVT} (status and enable, 2 bytes each) and PM1a control block at {@link #PM1_CNT}.
 * Writing SLP_EN with SLP_TYP = 5 (the \_S5 value the DSDT declares) powers the machine off.
 * The fixed-feature power button: {@link #pressPowerButton} sets PWRBTN_STS, and while a status
 * bit is set with its enable bit, and SCI_EN is set, the SCI (ISA IRQ 9, level, active high) is
 * asserted; the guest clears the status by writing 1 to it. Guarded by the Big Lock. The PM
 * timer, which needs no lock, is {@link AcpiPmTimer}.
 */
public final class AcpiPm implements BusDevice {
    /** Base of the PM I/O block, as QEMU's PIIX4 and ICH9 machines use with SeaBIOS. */
    public static final int BASE = 0x600;
    /** PM1a_EVT_BLK: status (2 bytes) then enable (2 bytes). */
    public static final int PM1_EVT = BASE;
    /** PM1a_CNT_BLK (2 bytes). */
    public static final int PM1_CNT = BASE + 4;
    /** Bytes this device covers: the event and control blocks. */
    public static final int SIZE = 6;
    /** The sleep type the DSDT's \_S5 package names. */
    public static final int SLP_TYP_S5 = 5;

    /** PM1 status and enable: the power button (PWRBTN_STS, PWRBTN_EN). */
    public static final int PWRBTN = 1 << 8;
    /** The SCI's ISA IRQ, which the MADT routes to GSI 9, level-triggered, active high. */
    public static final int SCI_IRQ = 9;
    static final int SCI_EN = 1;
    private static final int SLP_EN = 1 << 13;

    private final GuestRequests machine;
    private final IrqLine sci;
    private boolean sciLevel;
    private int status;
    private int enable;
    private int control = SCI_EN;

    /** PM registers that power {@code machine} off on an S5 request and raise {@code sci} for events. */
    public AcpiPm(GuestRequests machine, IrqLine sci) {
        this.machine = machine;
        this.sci = sci;
    }

    /** A press of the power button: PWRBTN_STS set, the SCI raised if the guest enabled it. */
    public void pressPowerButton() {
        status |= PWRBTN;
        updateSci();
    }

    private void updateSci() {
        boolean level = (status & enable & PWRBTN) != 0 && (control & SCI_EN) != 0;
        if (level != sciLevel) {
            sciLevel = level;
            sci.set(level);
        }
    }

    @Override
    public long read(long offset, int size, int cpu) {
        long word = (long) status | ((long) enable << 16) | ((long) control << 32);
        return (word >>> (8 * offset)) & mask(size);
    }

    @Override
    public void write(long offset, int size, long value, int cpu) {
        for (int i = 0; i < size; i++) {
            int at = (int) offset + i;
            int b = (int) (value >>> (8 * i)) & 0xff;
            switch (at) {
                case 0 -> status &= ~b; // write 1 to clear
                case 1 -> status &= ~(b << 8);
                case 2 -> enable = (enable & 0xff00) | b;
                case 3 -> enable = (enable & 0x00ff) | (b << 8);
                case 4 -> control = (control & 0xff00) | b;
                case 5 -> control = (control & 0x00ff) | (b << 8);
                default -> { }
            }
        }
        updateSci();
        if ((control & SLP_EN) != 0) {
            control &= ~SLP_EN;
            if (((control >> 10) & 7) == SLP_TYP_S5) {
                machine.guestPowerOff(cpu);
            }
        }
    }

    private static long mask(int size) {
        return size >= 8 ? -1L : (1L << (8 * size)) - 1;
    }

    @Override
    public void reset() {
        status = 0;
        enable = 0;
        control = SCI_EN;
        updateSci();
    }
}
