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

    /**
     * What was written from byte {@code from} on: the bytes still kept, from {@code offset} (after
     * {@code lost} bytes that are no longer kept) to {@code end}, decoded as UTF-8.
     */
    public record Chunk(long offset, long end, long lost, String text) {
    }

    /** The output from byte {@code from} on, as far as it is kept (see {@link Chunk}). */
    public synchronized Chunk readFrom(long from) {
        long start = Math.max(from, total - CAPACITY);
        if (start >= total) {
            return new Chunk(total, total, 0, "");
        }
        byte[] out = new byte[(int) (total - start)];
        for (int i = 0; i < out.length; i++) {
            out[i] = ring[(int) ((start + i) % CAPACITY)];
        }
        return new Chunk(start, total, Math.max(0, start - from), new String(out, StandardCharsets.UTF_8));
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
