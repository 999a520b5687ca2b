package io.jvmm.core.boot;

import java.util.zip.DataFormatException;

/**
 * A decompressor for the LZ4 legacy frame the kernel build uses for CONFIG_KERNEL_LZ4 ({@code lz4
 * -l}): the magic 0x184C2102, then blocks, each a little-endian u32 compressed size and an LZ4
 * block that decompresses on its own to at most 8 MiB. Written from the LZ4 block format
 * description (lz4's doc/lz4_Block_format.md): a block is a run of sequences, each a token (high
 * nibble: literal count, low nibble: match length - 4; 15 means more length bytes follow, each
 * added, until one is not 255), the literals, then, except in the last sequence, a little-endian
 * u16 offset back into the output and the match, which may overlap what it copies.
 */
final class Lz4Legacy {
    /** The legacy frame's magic as it appears in the file. */
    static final byte[] MAGIC = {0x02, 0x21, 0x4c, 0x18};
    private static final int MAX_BLOCK = 8 << 20;

    private Lz4Legacy() {
    }

    /**
     * Decompresses the frame in {@code in[offset..offset+length)} into exactly {@code size} bytes.
     *
     * @throws DataFormatException if the frame is malformed, truncated, or does not give {@code size} bytes
     */
    static byte[] decompress(byte[] in, int offset, int length, int size) throws DataFormatException {
        int end = offset + length;
        for (int i = 0; i < MAGIC.length; i++) {
            if (length < 4 || in[offset + i] != MAGIC[i]) {
                throw new DataFormatException("no LZ4 legacy frame magic");
            }
        }
        byte[] out = new byte[size];
        int ip = offset + 4;
        int op = 0;
        while (op < size) {
            if (end - ip < 4) {
                throw new DataFormatException("truncated after " + op + " of " + size + " bytes");
            }
            int blockSize = u32(in, ip);
            ip += 4;
            if (blockSize <= 0 || blockSize > end - ip) {
                throw new DataFormatException("block of " + Integer.toUnsignedString(blockSize)
                        + " bytes at input offset " + (ip - 4 - offset) + " runs past the frame");
            }
            op = block(in, ip, ip + blockSize, out, op, Math.min(size, op + MAX_BLOCK));
            ip += blockSize;
        }
        return out;
    }

    /**
     * Decodes one block from {@code in[ip..end)} into {@code out} at {@code op}, up to
     * {@code limit}; returns the new output position.
     */
    private static int block(byte[] in, int ip, int end, byte[] out, int op, int limit) throws DataFormatException {
        int blockStart = op;
        while (true) {
            if (ip >= end) {
                throw new DataFormatException("block ends with a match instead of literals");
            }
            int token = in[ip++] & 0xff;
            int literals = token >>> 4;
            if (literals == 15) {
                int b;
                do {
                    if (ip >= end) {
                        throw new DataFormatException("literal length runs past the block");
                    }
                    b = in[ip++] & 0xff;
                    literals += b;
                } while (b == 255);
            }
            if (literals > end - ip || literals > limit - op) {
                throw new DataFormatException("literals run past the block or the output");
            }
            System.arraycopy(in, ip, out, op, literals);
            ip += literals;
            op += literals;
            if (ip == end) {
                return op; // the last sequence has no match
            }
            if (end - ip < 2) {
                throw new DataFormatException("match offset cut off by the end of the block");
            }
            int distance = (in[ip] & 0xff) | (in[ip + 1] & 0xff) << 8;
            ip += 2;
            if (distance == 0 || distance > op - blockStart) {
                throw new DataFormatException("match offset " + distance + " points outside the block's output");
            }
            int match = (token & 15) + 4;
            if ((token & 15) == 15) {
                int b;
                do {
                    if (ip >= end) {
                        throw new DataFormatException("match length runs past the block");
                    }
                    b = in[ip++] & 0xff;
                    match += b;
                } while (b == 255);
            }
            if (match > limit - op) {
                throw new DataFormatException("match runs past the output");
            }
            for (int i = 0; i < match; i++, op++) {
                out[op] = out[op - distance]; // byte by byte: the match may overlap its own output
            }
        }
    }

    private static int u32(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (b[at + 3] & 0xff) << 24;
    }
}
