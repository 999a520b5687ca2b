package io.jvmm.core.boot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * VmlinuxExtractor on synthetic bzImages whose payload is a real XZ stream or LZ4 legacy frame,
 * made by the xz and lz4 command-line tools the way the kernel build makes them (xz: CRC32 check,
 * x86 BCJ filter, LZMA2; lz4 -l), with the uncompressed size appended as the build does. Skipped
 * with the reason when a tool is missing.
 */
class VmlinuxExtractorTest {
    @TempDir
    static Path dir;
    private static byte[] vmlinux;
    private static byte[] xz;

    @BeforeAll
    static void compress() throws Exception {
        vmlinux = PvhImageTest.vmlinux64();
        Files.write(dir.resolve("vmlinux.bin"), vmlinux);
    }

    /** {@code tool args... file} run on {@code file} in the temporary directory, its stdout. */
    static byte[] run(String tool, String... args) throws Exception {
        Assumptions.assumeTrue(onPath(tool), "the " + tool + " command-line tool is not on the PATH");
        String[] cmd = new String[args.length + 1];
        cmd[0] = tool;
        System.arraycopy(args, 0, cmd, 1, args.length);
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, String.join(" ", cmd) + " failed");
        return out;
    }

    private static byte[] xz() throws Exception {
        return run("xz", "--format=xz", "--check=crc32", "--x86", "--lzma2=dict=1MiB", "-c", "vmlinux.bin");
    }

    /** A "decompressor" stub, then the compressed data, then the 4-byte uncompressed size. */
    private static byte[] kernelWithPayload(int stub, byte[] compressed, int size) {
        byte[] k = new byte[stub + compressed.length + 4];
        Arrays.fill(k, 0, stub, (byte) 0x90);
        System.arraycopy(compressed, 0, k, stub, compressed.length);
        java.nio.ByteBuffer.wrap(k).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(stub + compressed.length, size);
        return k;
    }

    @Test
    void xzPayloadFoundThroughPayloadOffset() throws Exception {
        byte[] xz = xz();
        byte[] bz = new BzImageBuilder().kernel(kernelWithPayload(0x400, xz, vmlinux.length))
                .payload(0x400, xz.length + 4).build();
        byte[] out = VmlinuxExtractor.extract("bzImage", bz);
        assertArrayEquals(vmlinux, out);
        assertEquals(0x1000100, PvhImage.parse("vmlinux", out).entry(), "the result boots through its PVH note");
    }

    @Test
    void xzPayloadFoundBySearchingWhenTheHeaderDoesNotSayWhere() throws Exception {
        byte[] bz = new BzImageBuilder().protocol(0x0206).headerEnd(0x23c)
                .kernel(kernelWithPayload(0x123, xz(), vmlinux.length)).build();
        assertArrayEquals(vmlinux, VmlinuxExtractor.extract("bzImage", bz));
    }

    @Test
    void lz4LegacyPayload() throws Exception {
        byte[] lz4 = run("lz4", "-l", "-12", "-c", "vmlinux.bin");
        byte[] bz = new BzImageBuilder().kernel(kernelWithPayload(0x200, lz4, vmlinux.length))
                .payload(0x200, lz4.length + 4).build();
        byte[] out = VmlinuxExtractor.extract("bzImage", bz);
        assertArrayEquals(vmlinux, out);
        assertEquals(0x1000100, PvhImage.parse("vmlinux", out).entry());
    }

    @Test
    void lz4LegacyPayloadOfSeveral8MibBlocks() throws Exception {
        // an ELF header, then 17 MiB of compressible but not trivial data: three blocks
        byte[] big = new byte[17 << 20];
        System.arraycopy(vmlinux, 0, big, 0, vmlinux.length);
        java.util.Random r = new java.util.Random(11);
        for (int i = vmlinux.length; i < big.length; i += 64) {
            big[i + r.nextInt(64)] = (byte) r.nextInt();
        }
        Files.write(dir.resolve("big.bin"), big);
        byte[] lz4 = run("lz4", "-l", "-c", "big.bin");
        byte[] bz = new BzImageBuilder().kernel(kernelWithPayload(0x200, lz4, big.length))
                .payload(0x200, lz4.length + 4).build();
        assertArrayEquals(big, VmlinuxExtractor.extract("bzImage", bz));
    }

    @Test
    void lz4PayloadWithAWrongSizeIsReported() throws Exception {
        byte[] lz4 = run("lz4", "-l", "-c", "vmlinux.bin");
        byte[] bz = new BzImageBuilder().kernel(kernelWithPayload(0x200, lz4, vmlinux.length + 1))
                .payload(0x200, lz4.length + 4).build();
        BootImageException e = assertThrows(BootImageException.class, () -> VmlinuxExtractor.extract("bz", bz));
        assertTrue(e.problem().startsWith("the LZ4 payload at offset 0xc00 is corrupt or truncated: truncated after "
                + vmlinux.length + " of " + (vmlinux.length + 1) + " bytes"), e.problem());
    }

    @Test
    void gzipPayloadIsNamed() {
        byte[] kernel = new byte[0x800];
        kernel[0x400] = 0x1f;
        kernel[0x401] = (byte) 0x8b;
        byte[] bz = new BzImageBuilder().kernel(kernel).payload(0x400, 0x100).build();
        BootImageException e = assertThrows(BootImageException.class, () -> VmlinuxExtractor.extract("bz", bz));
        assertEquals("no XZ or LZ4 payload in this bzImage (its payload is gzip-compressed); extract vmlinux with "
                + "the kernel's scripts/extract-vmlinux, or boot the bzImage itself", e.problem());
    }

    @Test
    void truncatedXzStreamIsReported() throws Exception {
        byte[] xz = xz();
        byte[] k = Arrays.copyOf(kernelWithPayload(0x400, xz, vmlinux.length), 0x400 + xz.length / 2);
        byte[] bz = new BzImageBuilder().kernel(k).payload(0x400, xz.length).build();
        BootImageException e = assertThrows(BootImageException.class, () -> VmlinuxExtractor.extract("bz", bz));
        assertTrue(e.problem().startsWith("the XZ payload at offset 0xe00 is corrupt or truncated"), e.problem());
    }

    @Test
    void payloadThatIsNotAnElfFileIsReported() throws Exception {
        Files.write(dir.resolve("not-elf"), new byte[] {'M', 'Z', 0, 0, 1, 2, 3});
        byte[] stream = run("xz", "--check=crc32", "-c", "not-elf");
        byte[] bz = new BzImageBuilder().kernel(stream).payload(0, 0).build();
        BootImageException e = assertThrows(BootImageException.class, () -> VmlinuxExtractor.extract("bz", bz));
        assertEquals("the payload decompresses to 7 bytes that are not an ELF file (they start with 4d 5a 00 00)",
                e.problem());
    }

    @Test
    void notABzImage() {
        BootImageException e = assertThrows(BootImageException.class,
                () -> VmlinuxExtractor.extract("x", new byte[0x1000]));
        assertTrue(e.problem().startsWith("not a bzImage"), e.problem());
    }

    private static boolean onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }
}
