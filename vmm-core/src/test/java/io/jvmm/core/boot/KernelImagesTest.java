package io.jvmm.core.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** KernelImages.detect: each kind told apart by content, and one-line errors for everything else. */
class KernelImagesTest {
    private static final String ACCEPTED = "jvmm boots Multiboot ELF images, ELF vmlinux files with a PVH entry "
            + "note (CONFIG_PVH=y) and bzImages (boot protocol 2.06+)";

    private static KernelImages.Kernel detect(byte[] bytes) throws BootImageException {
        return KernelImages.detect("k", bytes);
    }

    private static BootImageException rejects(byte[] bytes) {
        return assertThrows(BootImageException.class, () -> detect(bytes));
    }

    private static ElfBuilder pvhElf() {
        return ElfBuilder.elf64().entry(0x1000000).load(0x1000, 0x1000000, 0x10, 0x10).put(0x1000, new byte[0x10])
                .noteSegment(0x200, ElfBuilder.note("Xen", 18, ElfBuilder.u32(0x1000000)));
    }

    @Test
    void multibootElf() throws Exception {
        KernelImages.Kernel k = detect(MultibootImageTest.standardImage());
        assertEquals(0x100000, assertInstanceOf(KernelImages.MultibootKernel.class, k).image().entry());
        assertEquals("k", k.source());
    }

    @Test
    void pvhElf32And64() throws Exception {
        KernelImages.Kernel k = detect(pvhElf().build());
        assertEquals(0x1000000, assertInstanceOf(KernelImages.PvhKernel.class, k).image().entry());
        assertEquals("k", k.source());
        byte[] elf32 = ElfBuilder.elf32().entry(0x200000).load(0x1000, 0x200000, 0x10, 0x10)
                .noteSegment(0x200, ElfBuilder.note("Xen", 18, ElfBuilder.u32(0x200000))).length(0x1010).build();
        assertInstanceOf(KernelImages.PvhKernel.class, detect(elf32));
    }

    @Test
    void bzImage() throws Exception {
        KernelImages.Kernel k = detect(new BzImageBuilder().build());
        assertEquals(0x020f, assertInstanceOf(KernelImages.BzImageKernel.class, k).image().protocol());
        assertEquals("k", k.source());
    }

    @Test
    void elfWithBothAValidMultibootHeaderAndAPvhNoteIsMultiboot() throws Exception {
        assertInstanceOf(KernelImages.MultibootKernel.class, detect(pvhElf().multiboot(0x400, 0).build()));
    }

    @Test
    void elfWithABrokenMultibootHeaderButAPvhNoteIsPvh() throws Exception {
        byte[] bytes = pvhElf().multibootRaw(0x400, ElfBuilder.MB_MAGIC, 0, 1).build();
        assertInstanceOf(KernelImages.PvhKernel.class, detect(bytes));
    }

    @Test
    void elfWithABrokenMultibootHeaderOnlyGetsTheMultibootError() {
        byte[] bytes = ElfBuilder.elf32().entry(0x100000).load(0x1000, 0x100000, 0x10, 0x10)
                .put(0x1000, new byte[0x10]).multiboot(0x400, 0x8).build();
        assertEquals("k: Multiboot header requires features 0x8 (flag bits 3-15) that jvmm does not provide",
                rejects(bytes).getMessage());
    }

    @Test
    void elfWithoutMultibootHeaderNorPvhNote() {
        byte[] bytes = ElfBuilder.elf64().entry(0x1000000).load(0x1000, 0x1000000, 0x10, 0x10)
                .put(0x1000, new byte[0x10]).build();
        BootImageException e = rejects(bytes);
        assertEquals("k: ELF file without a Multiboot header (magic 0x1BADB002 in the first 8192 bytes) nor a PVH "
                + "entry note (\"Xen\", type 18); " + ACCEPTED, e.getMessage());
        assertTrue(!e.getMessage().contains("\n"));
    }

    @Test
    void elfStructureErrorsComeThrough() {
        byte[] bytes = ElfBuilder.elf64().machine(ElfBuilder.EM_AARCH64).load(0x1000, 0x1000000, 0x10, 0x10)
                .length(0x1010).build();
        assertTrue(rejects(bytes).problem().startsWith("ELF file for AArch64 (e_machine 183)"));
    }

    @Test
    void bzImageOlderThan206() {
        assertEquals("k: bzImage of boot protocol 2.05, older than 2.06; jvmm boots kernels from Linux 2.6.22 on",
                rejects(new BzImageBuilder().protocol(0x0205).build()).getMessage());
    }

    @Test
    void somethingElse() {
        BootImageException e = rejects(new byte[] {'M', 'Z', (byte) 0x90, 0, 3, 0});
        assertEquals("k: neither a Multiboot ELF, an ELF vmlinux with a PVH entry note, nor a bzImage (boot "
                + "protocol 2.06+): it starts with 4d 5a 90 00; pass a kernel in one of these forms (a "
                + "distribution's /boot/vmlinuz is a bzImage)", e.getMessage());
        assertEquals("k", e.source());
    }

    @Test
    void emptyFile() {
        assertTrue(rejects(new byte[0]).problem().contains(": it is empty;"));
        assertTrue(rejects(new byte[] {0x7f, 'E'}).problem().startsWith("neither a Multiboot ELF"));
    }

    @Test
    void bzImageMagicInATooShortFileIsNotABzImage() {
        byte[] b = new byte[0x206];
        b[0x202] = 'H';
        b[0x203] = 'd';
        b[0x204] = 'r';
        b[0x205] = 'S';
        assertTrue(rejects(b).problem().startsWith("neither a Multiboot ELF"));
    }
}
