package io.jvmm.core.firmware;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Little-endian byte assembly for firmware tables, with the 8-bit checksums ACPI and MP use. */
final class TableBuilder {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    TableBuilder u8(int v) {
        out.write(v & 0xff);
        return this;
    }

    TableBuilder u16(int v) {
        return u8(v).u8(v >>> 8);
    }

    TableBuilder u32(long v) {
        return u16((int) v).u16((int) (v >>> 16));
    }

    TableBuilder u64(long v) {
        return u32(v).u32(v >>> 32);
    }

    /** {@code s} as ASCII, padded with {@code pad} or cut to exactly {@code width} bytes. */
    TableBuilder ascii(String s, int width, char pad) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < width; i++) {
            u8(i < b.length ? b[i] : pad);
        }
        return this;
    }

    TableBuilder bytes(byte[] b) {
        out.writeBytes(b);
        return this;
    }

    TableBuilder zeros(int n) {
        for (int i = 0; i < n; i++) {
            out.write(0);
        }
        return this;
    }

    int size() {
        return out.size();
    }

    byte[] build() {
        return out.toByteArray();
    }

    /** Stores a 16- or 32-bit little-endian value into {@code b} at {@code at}. */
    static void put(byte[] b, int at, long v, int width) {
        for (int i = 0; i < width; i++) {
            b[at + i] = (byte) (v >>> (8 * i));
        }
    }

    /** Sets {@code b[at]} so that bytes [from, to) sum to 0 mod 256. */
    static void checksum(byte[] b, int at, int from, int to) {
        b[at] = 0;
        int sum = 0;
        for (int i = from; i < to; i++) {
            sum += b[i];
        }
        b[at] = (byte) -sum;
    }

    /** Whether bytes [from, to) sum to 0 mod 256. */
    static boolean checksumOk(byte[] b, int from, int to) {
        int sum = 0;
        for (int i = from; i < to; i++) {
            sum += b[i];
        }
        return (sum & 0xff) == 0;
    }
}
