package io.jvmm.core.boot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.DataFormatException;
import org.junit.jupiter.api.Test;

/**
 * Lz4Legacy on hand-assembled frames, one feature of the LZ4 block format per test (the lz4 tool's
 * own output is decoded in {@code VmlinuxExtractorTest}).
 */
class Lz4LegacyTest {
    /** A legacy frame: the magic, then each block with its u32 size. */
    private static byte[] frame(byte[]... blocks) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(Lz4Legacy.MAGIC);
        for (byte[] b : blocks) {
            out.writeBytes(ElfBuilder.u32(b.length));
            out.writeBytes(b);
        }
        return out.toByteArray();
    }

    private static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] decompress(byte[] frame, int size) throws DataFormatException {
        return Lz4Legacy.decompress(frame, 0, frame.length, size);
    }

    @Test
    void literalsOnly() throws Exception {
        byte[] block = ElfBuilder.concat(bytes(0x50), ascii("hello"));
        assertArrayEquals(ascii("hello"), decompress(frame(block), 5));
    }

    @Test
    void overlappingMatchRepeatsItsSource() throws Exception {
        // "ab", then a match 2 back of length 4 + 6 = 10, then the last literal "!"
        byte[] block = ElfBuilder.concat(bytes(0x26), ascii("ab"), bytes(2, 0), bytes(0x10), ascii("!"));
        assertArrayEquals(ascii("abababababab!"), decompress(frame(block), 13));
    }

    @Test
    void longLiteralAndMatchLengthsUseExtraBytes() throws Exception {
        // 15 + 255 + 30 = 300 literals, then a match 1 back of 4 + 15 + 255 + 0 = 274 bytes, then 1 literal
        byte[] lits = ElfBuilder.pattern(300, 1);
        byte[] block = ElfBuilder.concat(bytes(0xff, 255, 30), lits, bytes(1, 0, 255, 0), bytes(0x10), ascii("z"));
        byte[] out = decompress(frame(block), 300 + 274 + 1);
        assertArrayEquals(lits, java.util.Arrays.copyOf(out, 300));
        for (int i = 300; i < 574; i++) {
            assertEquals(lits[299], out[i], "match byte " + i);
        }
        assertEquals('z', out[574]);
    }

    @Test
    void blocksAreIndependentAndConcatenated() throws Exception {
        byte[] one = ElfBuilder.concat(bytes(0x30), ascii("abc"));
        byte[] two = ElfBuilder.concat(bytes(0x20), ascii("de"));
        assertArrayEquals(ascii("abcde"), decompress(frame(one, two), 5));
        byte[] reachingBack = ElfBuilder.concat(bytes(0x10), ascii("x"), bytes(4, 0), bytes(0x10), ascii("y"));
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> decompress(frame(one, reachingBack), 3 + 6));
        assertEquals("match offset 4 points outside the block's output", e.getMessage());
    }

    @Test
    void trailingBytesAfterTheWantedSizeAreNotRead() throws Exception {
        byte[] f = ElfBuilder.concat(frame(ElfBuilder.concat(bytes(0x30), ascii("abc"))), ElfBuilder.u32(3));
        assertArrayEquals(ascii("abc"), decompress(f, 3));
    }

    @Test
    void malformedFramesAreRejected() {
        assertEquals("no LZ4 legacy frame magic",
                assertThrows(DataFormatException.class, () -> decompress(bytes(0x04, 0x22, 0x4d, 0x18), 1))
                        .getMessage());
        assertEquals("truncated after 3 of 4 bytes", assertThrows(DataFormatException.class,
                () -> decompress(frame(ElfBuilder.concat(bytes(0x30), ascii("abc"))), 4)).getMessage());
        byte[] cut = frame(ElfBuilder.concat(bytes(0x50), ascii("hello")));
        assertEquals("block of 6 bytes at input offset 4 runs past the frame", assertThrows(DataFormatException.class,
                () -> Lz4Legacy.decompress(cut, 0, cut.length - 1, 5)).getMessage());
        assertEquals("literals run past the block or the output", assertThrows(DataFormatException.class,
                () -> decompress(frame(ElfBuilder.concat(bytes(0x50), ascii("hel"))), 5)).getMessage());
        assertEquals("match offset 0 points outside the block's output", assertThrows(DataFormatException.class,
                () -> decompress(frame(ElfBuilder.concat(bytes(0x10), ascii("a"), bytes(0, 0), bytes(0x10),
                        ascii("b"))), 6)).getMessage());
        assertEquals("block ends with a match instead of literals", assertThrows(DataFormatException.class,
                () -> decompress(frame(ElfBuilder.concat(bytes(0x10), ascii("a"), bytes(1, 0))), 5)).getMessage());
        assertEquals("match runs past the output", assertThrows(DataFormatException.class,
                () -> decompress(frame(ElfBuilder.concat(bytes(0x1f), ascii("a"), bytes(1, 0, 10), bytes(0x10),
                        ascii("b"))), 8)).getMessage());
    }
}
