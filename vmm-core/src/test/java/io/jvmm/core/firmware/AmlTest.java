package io.jvmm.core.firmware;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The AML encodings against hand-assembled bytes from the ACPI specification's grammar (chapter 20). */
class AmlTest {
    private static byte[] b(int... v) {
        byte[] out = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (byte) v[i];
        }
        return out;
    }

    @Test
    void integersUseTheShortestEncoding() {
        assertArrayEquals(b(0x00), Aml.integer(0), "ZeroOp");
        assertArrayEquals(b(0x01), Aml.integer(1), "OneOp");
        assertArrayEquals(b(0x0a, 0x0f), Aml.integer(0xf), "BytePrefix");
        assertArrayEquals(b(0x0b, 0x34, 0x12), Aml.integer(0x1234), "WordPrefix");
        assertArrayEquals(b(0x0c, 0x78, 0x56, 0x34, 0x12), Aml.integer(0x12345678), "DWordPrefix");
        assertArrayEquals(b(0x0e, 1, 0, 0, 0, 1, 0, 0, 0), Aml.integer(0x100000001L), "QWordPrefix");
    }

    @Test
    void stringsAreNulTerminatedAscii() {
        assertArrayEquals(b(0x0d, 'A', 'B', 0), Aml.string("AB"));
        assertThrows(IllegalArgumentException.class, () -> Aml.string("caf\u00e9"));
    }

    @Test
    void namesAreSegmentsOrRootPaths() {
        assertArrayEquals(b('_', 'S', '5', '_'), Aml.nameString("_S5_"));
        assertArrayEquals(b('\\', '_', 'S', 'B', '_'), Aml.nameString("\\_SB_"));
        assertArrayEquals(b('\\', 0x2e, '_', 'S', 'B', '_', 'C', '0', '0', '0'), Aml.nameString("\\_SB_.C000"));
        assertThrows(IllegalArgumentException.class, () -> Aml.nameString("_S5"), "three characters");
        assertThrows(IllegalArgumentException.class, () -> Aml.nameString("0ABC"), "leading digit");
        assertThrows(IllegalArgumentException.class, () -> Aml.nameString("c000"), "lower case");
    }

    @Test
    void theS5PackageMatchesWhatEveryFirmwareEncodes() {
        assertArrayEquals(b(0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x04, 0x0a, 0x05, 0x0a, 0x05, 0x00, 0x00),
                Aml.name("_S5_", Aml.packageOf(5, 5, 0, 0)));
    }

    @Test
    void aDeviceCarriesItsNameAndTerms() {
        byte[] dev = Aml.device("C001", Aml.name("_UID", Aml.integer(1)));
        assertArrayEquals(b(0x5b, 0x82, 11, 'C', '0', '0', '1', 0x08, '_', 'U', 'I', 'D', 0x01), dev);
    }

    @Test
    void pkgLengthGrowsToTwoThreeAndFourBytes() {
        // 63 bytes of body: 1 + 63 = 64 does not fit in 6 bits, so two bytes: total 65 = 0x41.
        byte[] two = Aml.withPkgLength(b(0x10), new byte[63]);
        assertEquals(0x40 | 0x1, two[1] & 0xff, "lead byte: one more byte, low nibble 1");
        assertEquals(0x4, two[2] & 0xff, "then bits 4-11");
        assertEquals(1 + 2 + 63, two.length);
        // 62 bytes still fit in one: 63.
        assertArrayEquals(b(0x10, 63), java.util.Arrays.copyOf(Aml.withPkgLength(b(0x10), new byte[62]), 2));
        byte[] three = Aml.withPkgLength(b(0x10), new byte[0x1000]);
        int total = 0x1000 + 3;
        assertEquals(0x80 | (total & 0xf), three[1] & 0xff);
        assertEquals((total >> 4) & 0xff, three[2] & 0xff);
        assertEquals((total >> 12) & 0xff, three[3] & 0xff);
        byte[] four = Aml.withPkgLength(b(0x10), new byte[0x100000]);
        assertEquals(0xc0, four[1] & 0xc0, "three more bytes");
    }
}
