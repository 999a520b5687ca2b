package io.jvmm.core.devices;

/**
 * QEMU's isa-debug-exit at port 0xf4 (4 ports wide): a guest write of {@code v} ends the run with
 * result {@code v}. QEMU's own process exits with {@code (v << 1) | 1} for the same write.
 */
public final class DebugExit implements BusDevice {
    /** The port, as QEMU's {@code -device isa-debug-exit,iobase=0xf4,iosize=0x04}. */
    public static final int PORT = 0xf4;
    /** The width of the device's range. */
    public static final int SIZE = 4;

    private final GuestRequests machine;

    /** A debug-exit device ending runs of {@code machine}. */
    public DebugExit(GuestRequests machine) {
        this.machine = machine;
    }

    @Override
    public long read(long offset, int size, int cpu) {
        return 0;
    }

    @Override
    public void write(long offset, int size, long value, int cpu) {
        machine.guestExit(cpu, value & ((1L << (8 * Math.min(size, 4))) - 1));
    }
}
