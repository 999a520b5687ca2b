package io.jvmm.core.devices;

/**
 * The ACPI PM timer at {@link #PORT}: a free-running counter at 3.579545 MHz, 32 bits wide (the
 * FADT sets TMR_VAL_EXT). Derived from {@link System#nanoTime()}, so it is stateless and needs no
 * lock: vCPU threads read it without the Big Lock.
 */
public final class AcpiPmTimer implements BusDevice {
    /** PM_TMR_BLK. */
    public static final int PORT = AcpiPm.BASE + 8;
    /** Width of the register. */
    public static final int SIZE = 4;
    /** Ticks per second. */
    public static final long FREQUENCY_HZ = 3_579_545L;

    private final long origin = System.nanoTime();

    @Override
    public long read(long offset, int size, int cpu) {
        long ns = System.nanoTime() - origin;
        // ticks = ns * 3579545 / 1e9 without overflow for centuries of uptime
        long ticks = (ns / 1_000_000_000L) * FREQUENCY_HZ + (ns % 1_000_000_000L) * FREQUENCY_HZ / 1_000_000_000L;
        return (ticks >>> (8 * offset)) & (size >= 4 ? 0xffffffffL : (1L << (8 * size)) - 1);
    }

    @Override
    public void write(long offset, int size, long value, int cpu) {
        // read-only
    }

    @Override
    public boolean ownLocking() {
        return true;
    }
}
