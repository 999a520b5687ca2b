package io.jvmm.core.boot;

import java.nio.charset.StandardCharsets;

/** Small helpers the loaders share for the data they put in guest memory: C strings and alignment. */
final class BootData {
    /** A guest page. */
    static final long PAGE = 4096;

    private BootData() {
    }

    /** {@code s} as UTF-8 with a terminating NUL. */
    static byte[] cString(String s) {
        byte[] raw = s.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[raw.length + 1];
        System.arraycopy(raw, 0, out, 0, raw.length);
        return out;
    }

    /** {@code v} rounded up to a multiple of {@code a} (a power of two). */
    static long alignUp(long v, long a) {
        return (v + a - 1) & -a;
    }

    /** {@code v} rounded down to a multiple of {@code a} (a power of two). */
    static long alignDown(long v, long a) {
        return v & -a;
    }
}
