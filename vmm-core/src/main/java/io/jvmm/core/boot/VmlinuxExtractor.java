package io.jvmm.core.boot;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.Map;
import java.util.zip.DataFormatException;
import org.tukaani.xz.SingleXZInputStream;
import org.tukaani.xz.XZFormatException;

/**
 * Gets the uncompressed ELF vmlinux out of a bzImage, so that it can be booted through its PVH
 * note ({@link PvhImage}). Two payload formats are understood: XZ (CONFIG_KERNEL_XZ), decompressed
 * with XZ for Java (org.tukaani:xz), and the LZ4 legacy frame (CONFIG_KERNEL_LZ4, what Debian 12's
 * x86 kernels use), decompressed by {@link Lz4Legacy}.
 *
 * <p>The payload is found through the header's payload_offset and payload_length (protocol 2.08+,
 * relative to the protected-mode kernel); without them, the protected-mode kernel is searched for
 * the XZ stream magic {@code FD 37 7A 58 5A 00}. The kernel build appends the uncompressed size
 * (u32) to the compressed data: XZ ignores it (only the first stream is read), LZ4 needs it to
 * know where the output ends. A randomizable kernel's vmlinux is followed by its relocation
 * table, which the ELF loader ignores.
 */
public final class VmlinuxExtractor {
    /** The XZ stream header magic. */
    static final byte[] XZ_MAGIC = {(byte) 0xfd, '7', 'z', 'X', 'Z', 0};
    private static final int PROTOCOL_2_08 = 0x0208;
    /** The largest vmlinux accepted (a distribution kernel's is about 60 MiB). */
    private static final long MAX_VMLINUX = 1L << 30;
    /** Payload formats not decompressed here, by their leading bytes (hex). */
    private static final Map<String, String> OTHER_FORMATS = Map.of("1f8b", "gzip", "28b52ffd", "zstd",
            "425a68", "bzip2", "5d0000", "LZMA", "894c5a4f", "LZO");

    private VmlinuxExtractor() {
    }

    /**
     * The vmlinux ELF file inside bzImage {@code bytes}.
     *
     * @throws BootImageException naming {@code source} if the bytes are not a bzImage, its payload
     *     is in neither format, or it is corrupt or does not hold an ELF file
     */
    public static byte[] extract(String source, byte[] bytes) throws BootImageException {
        BzImage image = BzImage.parse(source, bytes);
        int[] declared = declaredPayload(image, bytes);
        byte[] out;
        if (declared != null && startsWith(bytes, declared[0], Lz4Legacy.MAGIC)) {
            out = lz4(source, bytes, declared[0], declared[1]);
        } else {
            int start = declared != null && startsWith(bytes, declared[0], XZ_MAGIC) ? declared[0]
                    : search(bytes, image.kernelOffset());
            if (start < 0) {
                throw new BootImageException(source, "no XZ or LZ4 payload in this bzImage"
                        + otherFormat(bytes, declared) + "; extract vmlinux with the kernel's scripts/extract-vmlinux, "
                        + "or boot the bzImage itself");
            }
            out = xz(source, bytes, start);
        }
        if (out.length < 4 || out[0] != 0x7f || out[1] != 'E' || out[2] != 'L' || out[3] != 'F') {
            int n = Math.min(4, out.length);
            throw new BootImageException(source, "the payload decompresses to " + out.length + " bytes that are "
                    + "not an ELF file (they start with " + HexFormat.ofDelimiter(" ").formatHex(out, 0, n) + ")");
        }
        return out;
    }

    private static byte[] xz(String source, byte[] bytes, int start) throws BootImageException {
        try (InputStream in = new SingleXZInputStream(new ByteArrayInputStream(bytes, start, bytes.length - start))) {
            return in.readAllBytes();
        } catch (XZFormatException e) {
            throw new BootImageException(source, "the XZ payload at offset 0x" + Integer.toHexString(start)
                    + " has a bad header: " + e.getMessage());
        } catch (IOException e) {
            throw new BootImageException(source, "the XZ payload at offset 0x" + Integer.toHexString(start)
                    + " is corrupt or truncated: " + e.getMessage());
        }
    }

    private static byte[] lz4(String source, byte[] bytes, int start, int length) throws BootImageException {
        String where = "the LZ4 payload at offset 0x" + Integer.toHexString(start);
        if (length < 8) {
            throw new BootImageException(source, where + " is only " + length + " bytes (payload_length)");
        }
        long size = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getInt(start + length - 4) & 0xffffffffL;
        if (size == 0 || size > MAX_VMLINUX) {
            throw new BootImageException(source, where + " claims an uncompressed size of " + size
                    + " bytes (its last 4 bytes); expected 1 byte to 1 GiB");
        }
        try {
            return Lz4Legacy.decompress(bytes, start, length - 4, (int) size);
        } catch (DataFormatException e) {
            throw new BootImageException(source, where + " is corrupt or truncated: " + e.getMessage());
        }
    }

    /** The first XZ magic from {@code from} on, or -1. */
    private static int search(byte[] bytes, int from) {
        for (int i = from; i <= bytes.length - XZ_MAGIC.length; i++) {
            if (startsWith(bytes, i, XZ_MAGIC)) {
                return i;
            }
        }
        return -1;
    }

    /** The payload's file offset and length from the header (2.08+), or null if absent or outside the file. */
    private static int[] declaredPayload(BzImage image, byte[] bytes) {
        if (image.protocol() < PROTOCOL_2_08) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long offset = b.getInt(BootParams.PAYLOAD_OFFSET) & 0xffffffffL;
        long length = b.getInt(BootParams.PAYLOAD_LENGTH) & 0xffffffffL;
        long at = image.kernelOffset() + offset;
        if (offset == 0 || at + length > bytes.length) {
            return null;
        }
        return new int[] {(int) at, (int) length};
    }

    private static String otherFormat(byte[] bytes, int[] declared) {
        if (declared == null) {
            return "";
        }
        for (Map.Entry<String, String> f : OTHER_FORMATS.entrySet()) {
            if (startsWith(bytes, declared[0], HexFormat.of().parseHex(f.getKey()))) {
                return " (its payload is " + f.getValue() + "-compressed)";
            }
        }
        return "";
    }

    private static boolean startsWith(byte[] bytes, int at, byte[] prefix) {
        if (at < 0 || at > bytes.length - prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (bytes[at + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
