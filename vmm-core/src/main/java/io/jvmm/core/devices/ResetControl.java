package io.jvmm.core.devices;

/**
 * The PC's reset control register at port 0xCF9 (the one the ACPI FADT can name as its reset
 * register): writing a value with bit 2 (RST_CPU) set resets the machine. Bit 1 (SYS_RST) chooses
 * a hard over a soft reset on real chipsets; both reset everything here, as in QEMU's PIIX. Reads
 * give back bits 1 and 3 of the last write.
 */
public final class ResetControl implements BusDevice {
    /** The port. */
    public static final int PORT = 0xcf9;
    /** RST_CPU: a write with this bit set resets. */
    public static final int RST_CPU = 1 << 2;
    /** SYS_RST: hard reset on real hardware. */
    public static final int SYS_RST = 1 << 1;
    /** FULL_RST. */
    public static final int FULL_RST = 1 << 3;
    /** The value the FADT tells the OS to write to reset: SYS_RST | RST_CPU, as on a PIIX. */
    public static final int RESET_VALUE = SYS_RST | RST_CPU;

    private final GuestRequests machine;
    private int value;

    /** The register of {@code machine}. */
    public ResetControl(GuestRequests machine) {
        this.machine = machine;
    }

    @Override
    public long read(long offset, int size, int cpu) {
        return value;
    }

    @Override
    public void write(long offset, int size, long v, int cpu) {
        value = (int) v & (SYS_RST | FULL_RST);
        if ((v & RST_CPU) != 0) {
            machine.guestReset(cpu);
        }
    }

    @Override
    public void reset() {
        value = 0;
    }
}
