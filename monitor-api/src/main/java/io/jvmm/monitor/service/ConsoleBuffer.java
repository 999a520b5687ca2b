package io.jvmm.monitor.service;

import io.jvmm.core.devices.SerialSink;
import java.nio.charset.StandardCharsets;

/**
 * A VM's serial console as the service keeps it: the last {@link #CAPACITY} bytes, plus an
 * optional echo (to stdout under {@code ./vmm run --monitor}). Called with the VM's Big Lock
 * held, so it only copies bytes.
 */
public final class ConsoleBuffer implements SerialSink {
    /** Bytes kept per VM. */
    public static final int CAPACITY = 64 * 1024;

    private final byte[] ring = new byte[CAPACITY];
    private final SerialSink echo;
    private long total;

    /** A buffer that also passes every byte to {@code echo}. */
    public ConsoleBuffer(SerialSink echo) {
        this.echo = echo;
    }

    @Override
    public void write(int b) {
        synchronized (this) {
            ring[(int) (total % CAPACITY)] = (byte) b;
            total++;
        }
        echo.write(b);
    }

    /** Bytes written since the VM started (more than are kept, once it wraps). */
    public synchronized long total() {
        return total;
    }

    /** The kept tail of the console, decoded as UTF-8. */
    public synchronized String text() {
        int n = (int) Math.min(total, CAPACITY);
        byte[] out = new byte[n];
        long start = total - n;
        for (int i = 0; i < n; i++) {
            out[i] = ring[(int) ((start + i) % CAPACITY)];
        }
        return new String(out, StandardCharsets.UTF_8);
    }
}
