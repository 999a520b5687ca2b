package io.jvmm.core.devices;

/**
 * The POST diagnostic port 0x80. Guests write 0x01 there at their entry point; the time of the
 * first write after each start or reset tells how long the VMM took to reach guest code. Needs no
 * Big Lock: it only stores two volatile values.
 */
public final class PostCodePort implements BusDevice {
    /** The port. */
    public static final int PORT = 0x80;

    private volatile long firstWriteNanos;
    private volatile int lastCode = -1;

    @Override
    public long read(long offset, int size, int cpu) {
        return lastCode & 0xff;
    }

    @Override
    public void write(long offset, int size, long value, int cpu) {
        if (firstWriteNanos == 0) {
            firstWriteNanos = System.nanoTime();
        }
        lastCode = (int) value & 0xff;
    }

    @Override
    public boolean ownLocking() {
        return true;
    }

    @Override
    public void reset() {
        firstWriteNanos = 0;
        lastCode = -1;
    }

    /** {@link System#nanoTime()} of the first write since start or reset, or 0 if none yet. */
    public long firstWriteNanos() {
        return firstWriteNanos;
    }

    /** The last code written, or -1. */
    public int lastCode() {
        return lastCode;
    }
}
