package io.jvmm.core.firmware;

import java.nio.charset.StandardCharsets;

/** Little-endian reads from a firmware image, the way a guest reads its tables. */
final class Le {
    private Le() {
    }

    static int u8(byte[] b, int at) {
        return b[at] & 0xff;
    }

    static int u16(byte[] b, int at) {
        return u8(b, at) | u8(b, at + 1) << 8;
    }

    static long u32(byte[] b, int at) {
        return (u16(b, at) | (long) u16(b, at + 2) << 16) & 0xffffffffL;
    }

    static long u64(byte[] b, int at) {
        return u32(b, at) | u32(b, at + 4) << 32;
    }

    static String ascii(byte[] b, int at, int n) {
        return new String(b, at, n, StandardCharsets.US_ASCII);
    }

    /** The 8-bit sum of bytes [from, from + n). */
    static int sum(byte[] b, int from, int n) {
        int s = 0;
        for (int i = from; i < from + n; i++) {
            s += b[i];
        }
        return s & 0xff;
    }
}
