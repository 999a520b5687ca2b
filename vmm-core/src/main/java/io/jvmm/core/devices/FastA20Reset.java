package io.jvmm.core.devices;

/**
 * System Control Port A at port 0x92 ("fast A20 and reset"): bit 1 gates A20, bit 0 resets the
 * machine when it goes from 0 to 1. The A20 bit is only stored, as KVM never masks A20. Reads
 * give back the last byte written, bit 0 included. Guarded by the Big Lock.
 */
public final class FastA20Reset implements BusDevice {
    /** The port. */
    public static final int PORT = 0x92;
    /** The width of the device's range. */
    public static final int SIZE = 1;
    /** Bit 0: a 0-to-1 transition resets the machine. */
    public static final int FAST_RESET = 0x01;
    /** Bit 1: the A20 gate, 1 = enabled. */
    public static final int A20 = 0x02;

    private final GuestRequests machine;
    private int value = A20;

    /** The port of {@code machine}. */
    public FastA20Reset(GuestRequests machine) {
        this.machine = machine;
    }

    @Override
    public long read(long offset, int size, int cpu) {
        return value;
    }

    @Override
    public void write(long offset, int size, long v, int cpu) {
        int old = value;
        value = (int) v & 0xff;
        // The edge, not the level, resets: a guest rewriting the port with bit 0 still set must not reset again.
        if ((old & FAST_RESET) == 0 && (value & FAST_RESET) != 0) {
            machine.guestReset(cpu);
        }
    }

    /** A20 on and bit 0 clear, as PC firmware leaves the port. */
    @Override
    public void reset() {
        value = A20;
    }
}
