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

    /**
     * The output from byte {@code from} on, as far as it is kept, in whole characters: a UTF-8
     * sequence the guest has not finished writing is left for the next read ({@code end} stops
     * before it), and the rest of a sequence whose first byte is no longer kept is counted lost.
     * Bytes that cannot be UTF-8 are not held back; they decode as U+FFFD.
     */
    public synchronized Chunk readFrom(long from) {
        long start = Math.max(from, total - CAPACITY);
        if (start > from) {
            start = afterBrokenSequence(start);
        }
        long end = Math.max(start, beforeUnfinishedSequence(start, total));
        byte[] out = new byte[(int) (end - start)];
        for (int i = 0; i < out.length; i++) {
            out[i] = at(start + i);
        }
        return new Chunk(start, end, Math.max(0, start - from), new String(out, StandardCharsets.UTF_8));
    }

    /** The kept tail of the console, decoded as UTF-8 (whole characters, as {@link #readFrom}). */
    public String text() {
        return readFrom(0).text();
    }

    /** {@code start}, moved past the continuation bytes (at most three) of a sequence begun before it. */
    private long afterBrokenSequence(long start) {
        long limit = Math.min(total, start + 3);
        while (start < limit && isContinuation(at(start))) {
            start++;
        }
        return start;
    }

    /** {@code end}, moved back to the start of a sequence that needs more bytes than have been written. */
    private long beforeUnfinishedSequence(long start, long end) {
        for (long p = end - 1; p >= Math.max(start, end - 3); p--) {
            byte b = at(p);
            if (!isContinuation(b)) {
                return end - p < sequenceLength(b) ? p : end;
            }
        }
        return end;
    }

    private byte at(long offset) {
        return ring[(int) (offset % CAPACITY)];
    }

    private static boolean isContinuation(byte b) {
        return (b & 0xC0) == 0x80;
    }

    /** The length of the sequence {@code lead} begins (1 for ASCII and for bytes that begin none). */
    private static int sequenceLength(byte lead) {
        if ((lead & 0xE0) == 0xC0) {
            return 2;
        }
        if ((lead & 0xF0) == 0xE0) {
            return 3;
        }
        return (lead & 0xF8) == 0xF0 ? 4 : 1;
    }
}
