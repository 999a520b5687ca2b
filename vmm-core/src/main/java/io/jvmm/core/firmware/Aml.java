package io.jvmm.core.firmware;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The few ACPI Machine Language encodings the DSDT needs (ACPI 6.5, chapter 20, "ACPI Machine
 * Language Specification"): integers, strings, packages, named objects, scopes and devices, each
 * returned as the bytes of one term. Names are 4-character name segments ({@code _S5_},
 * {@code C00A}) or a root path of segments ({@code \_SB_}).
 */
final class Aml {
    static final int ZERO_OP = 0x00;
    static final int ONE_OP = 0x01;
    static final int NAME_OP = 0x08;
    static final int BYTE_PREFIX = 0x0a;
    static final int WORD_PREFIX = 0x0b;
    static final int DWORD_PREFIX = 0x0c;
    static final int STRING_PREFIX = 0x0d;
    static final int QWORD_PREFIX = 0x0e;
    static final int SCOPE_OP = 0x10;
    static final int PACKAGE_OP = 0x12;
    static final int EXT_OP_PREFIX = 0x5b;
    static final int DEVICE_OP = 0x82;
    static final int ROOT_CHAR = '\\';
    static final int DUAL_NAME_PREFIX = 0x2e;

    private Aml() {
    }

    /** The shortest integer encoding of {@code v} (ZeroOp, OneOp, Byte/Word/DWord/QWordConst). */
    static byte[] integer(long v) {
        if (v == 0) {
            return new byte[] {ZERO_OP};
        }
        if (v == 1) {
            return new byte[] {ONE_OP};
        }
        int width = (v & ~0xffL) == 0 ? 1 : (v & ~0xffffL) == 0 ? 2 : (v & ~0xffffffffL) == 0 ? 4 : 8;
        int prefix = width == 1 ? BYTE_PREFIX : width == 2 ? WORD_PREFIX : width == 4 ? DWORD_PREFIX : QWORD_PREFIX;
        byte[] b = new byte[1 + width];
        b[0] = (byte) prefix;
        for (int i = 0; i < width; i++) {
            b[1 + i] = (byte) (v >>> (8 * i));
        }
        return b;
    }

    /** A String: ASCII, NUL-terminated. */
    static byte[] string(String s) {
        for (char c : s.toCharArray()) {
            if (c == 0 || c > 0x7f) {
                throw new IllegalArgumentException("AML strings are ASCII without NUL: " + s);
            }
        }
        return concat(new byte[] {STRING_PREFIX}, s.getBytes(StandardCharsets.US_ASCII), new byte[] {0});
    }

    /** Package (n) {elements...}, each element an integer. */
    static byte[] packageOf(long... elements) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(elements.length);
        for (long e : elements) {
            body.writeBytes(integer(e));
        }
        return withPkgLength(new byte[] {PACKAGE_OP}, body.toByteArray());
    }

    /** Name (name, value). */
    static byte[] name(String name, byte[] value) {
        return concat(new byte[] {NAME_OP}, nameString(name), value);
    }

    /** Scope (path) {terms...}. */
    static byte[] scope(String path, byte[]... terms) {
        return withPkgLength(new byte[] {SCOPE_OP}, concat(nameString(path), concat(terms)));
    }

    /** Device (name) {terms...}. */
    static byte[] device(String name, byte[]... terms) {
        return withPkgLength(new byte[] {EXT_OP_PREFIX, (byte) DEVICE_OP}, concat(nameString(name), concat(terms)));
    }

    /**
     * A NameString: one segment ("C00A"), or a path from the root ("\_SB_", "\_SB_.C00A"). Each
     * segment is four characters, the first A-Z or '_', the others A-Z, 0-9 or '_'.
     */
    static byte[] nameString(String name) {
        boolean root = name.startsWith("\\");
        String[] segs = (root ? name.substring(1) : name).split("\\.");
        if (segs.length > 2) {
            throw new IllegalArgumentException("only one- and two-segment names are supported: " + name);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (root) {
            out.write(ROOT_CHAR);
        }
        if (segs.length == 2) {
            out.write(DUAL_NAME_PREFIX);
        }
        for (String seg : segs) {
            if (!seg.matches("[A-Z_][A-Z0-9_]{3}")) {
                throw new IllegalArgumentException("not an ACPI name segment: '" + seg + "' in " + name);
            }
            out.writeBytes(seg.getBytes(StandardCharsets.US_ASCII));
        }
        return out.toByteArray();
    }

    /**
     * {@code op} PkgLength {@code body}: the PkgLength counts itself and the body; one byte up to
     * 63, else a lead byte with the count of following bytes in bits 7-6 and the low nibble in
     * bits 3-0, then the rest of the length, 8 bits a byte.
     */
    static byte[] withPkgLength(byte[] op, byte[] body) {
        int n = body.length;
        byte[] len;
        if (n + 1 < 0x40) {
            len = new byte[] {(byte) (n + 1)};
        } else {
            int bytes = n + 2 < 0x1000 ? 2 : n + 3 < 0x100000 ? 3 : 4;
            int total = n + bytes;
            if (total >= 0x10000000) {
                throw new IllegalArgumentException("AML object too large: " + n + " bytes");
            }
            len = new byte[bytes];
            len[0] = (byte) (((bytes - 1) << 6) | (total & 0xf));
            for (int i = 1; i < bytes; i++) {
                len[i] = (byte) (total >>> (4 + 8 * (i - 1)));
            }
        }
        return concat(op, len, body);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
