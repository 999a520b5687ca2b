package io.jvmm.core.boot;

import static io.jvmm.core.boot.BootTesting.cString;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.core.memory.GuestMemory;
import io.jvmm.kvm.Regs;
import io.jvmm.kvm.Segment;
import io.jvmm.kvm.Sregs;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * PvhImage against Xen's PVH boot ABI (docs/misc/pvh.pandoc, start_info.h): finding the
 * XEN_ELFNOTE_PHYS32_ENTRY note, and what {@link PvhImage#load} leaves in real guest RAM, read back
 * at the header's documented offsets as a PVH kernel reads it.
 */
class PvhImageTest {
    private static final long MIB = 1L << 20;
    private static final long RAM = 64 * MIB;
    private static final long ENTRY = 0x1000100;
    private static final byte[] TEXT = ElfBuilder.pattern(0x800, 0x33);
    private static final byte[] DATA = ElfBuilder.pattern(0x100, 0x77);

    /** A Linux-like ELF64 vmlinux: virtual addresses in the kernel map, physical at 16 MiB, a notes segment. */
    static byte[] vmlinux64() {
        byte[] notes = ElfBuilder.concat(ElfBuilder.note("GNU", 3, ElfBuilder.pattern(20, 1)),
                ElfBuilder.note("Xen", 6, "linux\0".getBytes(StandardCharsets.US_ASCII)),
                ElfBuilder.note("Xen", PvhImage.XEN_ELFNOTE_PHYS32_ENTRY, ElfBuilder.u32(ENTRY)));
        return ElfBuilder.elf64().entry(0xffffffff81000000L)
                .segment(ElfBuilder.PT_LOAD, 0x1000, 0xffffffff81000000L, 0x1000000, TEXT.length, TEXT.length)
                .segment(ElfBuilder.PT_LOAD, 0x2000, 0xffffffff82000000L, 0x2000000, DATA.length, 0x3000)
                .noteSegment(0x3000, notes).put(0x1000, TEXT).put(0x2000, DATA).build();
    }

    static PvhImage parse(byte[] bytes) throws BootImageException {
        return PvhImage.parse("vmlinux", bytes);
    }

    static BootImageException rejects(byte[] bytes) {
        return assertThrows(BootImageException.class, () -> parse(bytes));
    }

    // ---------------------------------------------------------------- parsing

    @Test
    void elf64WithTheNoteIsParsed() throws Exception {
        PvhImage img = parse(vmlinux64());
        assertEquals(ENTRY, img.entry());
        assertEquals("vmlinux", img.source());
        assertEquals(0x2003000, img.end());
        assertTrue(img.elf().is64());
    }

    @Test
    void elf32WithTheNoteIsParsed() throws Exception {
        byte[] bytes = ElfBuilder.elf32().entry(0x200000).load(0x1000, 0x200000, 0x10, 0x10)
                .noteSegment(0x200, ElfBuilder.note("Xen", 18, ElfBuilder.u32(0x200004))).length(0x1010).build();
        PvhImage img = parse(bytes);
        assertEquals(0x200004, img.entry());
        assertTrue(!img.elf().is64());
    }

    @Test
    void noteFoundInAnShtNoteSectionWhenThereIsNoPtNote() throws Exception {
        byte[] bytes = ElfBuilder.elf64().entry(0x200000).load(0x1000, 0x200000, 0x10, 0x10)
                .noteSection(0x200, ElfBuilder.note("Xen", 18, ElfBuilder.u32(0x200008)))
                .put(0x1000, new byte[0x10]).build();
        assertEquals(0x200008, parse(bytes).entry());
    }

    @Test
    void eightByteDescriptorIsAccepted() throws Exception {
        byte[] desc = {0x00, 0x10, 0x20, 0, 0, 0, 0, 0};
        byte[] bytes = ElfBuilder.elf64().entry(0x200000).load(0x1000, 0x200000, 0x10, 0x10)
                .noteSegment(0x200, ElfBuilder.note("Xen", 18, desc)).put(0x1000, new byte[0x10]).build();
        assertEquals(0x201000, parse(bytes).entry());
    }

    @Test
    void elfWithoutTheNoteIsRejected() {
        byte[] bytes = ElfBuilder.elf64().entry(0x200000).load(0x1000, 0x200000, 0x10, 0x10)
                .noteSegment(0x200, ElfBuilder.note("Xen", 6, "linux\0".getBytes(StandardCharsets.US_ASCII)))
                .put(0x1000, new byte[0x10]).build();
        assertEquals("ELF file without a PVH entry note (\"Xen\", type 18, XEN_ELFNOTE_PHYS32_ENTRY); build the "
                + "kernel with CONFIG_PVH=y, or boot its bzImage instead", rejects(bytes).problem());
    }

    @Test
    void noteOfAnotherOwnerDoesNotCount() {
        byte[] bytes = ElfBuilder.elf64().entry(0x200000).load(0x1000, 0x200000, 0x10, 0x10)
                .noteSegment(0x200, ElfBuilder.note("GNU", 18, ElfBuilder.u32(0x200000)))
                .put(0x1000, new byte[0x10]).build();
        assertTrue(rejects(bytes).problem().startsWith("ELF file without a PVH entry note"));
    }

    @Test
    void descriptorOfTheWrongSizeIsRejected() {
        byte[] bytes = ElfBuilder.elf64().entry(0x200000).load(0x1000, 0x200000, 0x10, 0x10)
                .noteSegment(0x200, ElfBuilder.note("Xen", 18, new byte[2])).put(0x1000, new byte[0x10]).build();
        assertEquals("the PVH entry note holds 2 bytes; XEN_ELFNOTE_PHYS32_ENTRY is a 32-bit address (4 bytes)",
                rejects(bytes).problem());
    }

    @Test
    void entryAbove4GibIsRejected() {
        byte[] desc = {0, 0, 0, 0, 1, 0, 0, 0};
        byte[] bytes = ElfBuilder.elf64().entry(0x200000).load(0x1000, 0x200000, 0x10, 0x10)
                .noteSegment(0x200, ElfBuilder.note("Xen", 18, desc)).put(0x1000, new byte[0x10]).build();
        assertEquals("the PVH entry point 0x100000000 is above 4 GiB; PVH enters the kernel in 32-bit mode",
                rejects(bytes).problem());
    }

    @Test
    void elfErrorsComeThroughUnchanged() {
        BootImageException e = rejects(ElfBuilder.elf64().machine(ElfBuilder.EM_AARCH64)
                .load(0x1000, 0x200000, 0x10, 0x10).length(0x1010).build());
        assertTrue(e.problem().startsWith("ELF file for AArch64"), e.problem());
    }

    // ---------------------------------------------------------------- loading

    @Nested
    class Loading {
        private GuestMemory memory;

        @BeforeEach
        void map() {
            memory = GuestMemory.allocate(RAM);
            // so that "zero" below means written, not left; only where the loader writes (all of
            // RAM would cost a page fault per page)
            for (long[] r : new long[][] {{0, 0x40000}, {0x1000000, 0x1010000}, {0x2000000, 0x2004000},
                {RAM - 0x100000, RAM}}) {
                memory.fill(r[0], r[1] - r[0], (byte) 0xa5);
            }
        }

        @AfterEach
        void unmap() {
            memory.close();
        }

        private long u32(long addr) {
            return memory.readU32(addr);
        }

        private long u64(long addr) {
            return memory.readU64(addr);
        }

        @Test
        void segmentsGoToTheirPhysicalAddressesAndBssIsZeroed() throws Exception {
            parse(vmlinux64()).load(memory, "console=ttyS0", null, 0xe0000);
            assertArrayEquals(TEXT, memory.read(0x1000000, TEXT.length));
            assertArrayEquals(DATA, memory.read(0x2000000, DATA.length));
            assertArrayEquals(new byte[0x3000 - DATA.length], memory.read(0x2000000 + DATA.length,
                    0x3000 - DATA.length));
            assertEquals(0xa5, memory.readU8(0x2003000), "nothing past the segment's memory size");
        }

        @Test
        void startInfoFieldByField() throws Exception {
            PvhImage.Loaded loaded = parse(vmlinux64()).load(memory, "console=ttyS0 root=/dev/vda", null, 0xe0000);
            long si = loaded.startInfoAddress();
            assertEquals(0x6000, si);
            assertEquals(0x336ec578L, u32(si), "magic");
            assertEquals(1, u32(si + 4), "version");
            assertEquals(0, u32(si + 8), "flags");
            assertEquals(0, u32(si + 12), "nr_modules");
            assertEquals(0, u64(si + 16), "modlist_paddr: none");
            assertEquals("console=ttyS0 root=/dev/vda", cString(memory, u64(si + 24)), "cmdline_paddr");
            assertEquals(0xe0000, u64(si + 32), "rsdp_paddr");
            assertEquals(0x7000, u64(si + 40), "memmap_paddr");
            assertEquals(6, u32(si + 48), "memmap_entries");
            assertEquals(0, u32(si + 52), "reserved");
        }

        @Test
        void memoryMapIsTheE820MapIn24ByteEntries() throws Exception {
            PvhImage.Loaded loaded = parse(vmlinux64()).load(memory, "", null, 0);
            long si = loaded.startInfoAddress();
            long map = u64(si + 40);
            E820Map expected = E820Map.forRam(RAM);
            assertEquals(expected.size(), u32(si + 48));
            for (int i = 0; i < expected.size(); i++) {
                E820Map.Entry e = expected.entries().get(i);
                long at = map + 24L * i;
                assertEquals(e.addr(), u64(at), "addr " + i);
                assertEquals(e.size(), u64(at + 8), "size " + i);
                assertEquals(e.type().code(), u32(at + 16), "type " + i);
                assertEquals(0, u32(at + 20), "reserved " + i);
            }
            assertEquals(0x100000 + 63 * MIB, u64(map + 48) + u64(map + 56), "usable RAM ends at the RAM size");
        }

        @Test
        void initrdIsDescribedByOneModuleEntryAndCopiedPageAlignedAtTheTopOfRam() throws Exception {
            byte[] initrd = ElfBuilder.pattern(10_000, 0x19);
            PvhImage.Loaded loaded = parse(vmlinux64()).load(memory, "x", initrd, 0xe0000);
            long si = loaded.startInfoAddress();
            assertEquals(1, u32(si + 12), "nr_modules");
            long mod = u64(si + 16);
            assertEquals(0x6040, mod);
            long paddr = u64(mod);
            assertEquals(initrd.length, u64(mod + 8), "size");
            assertEquals(0, u64(mod + 16), "cmdline_paddr: none");
            assertEquals(0, u64(mod + 24), "reserved");
            assertEquals(0, paddr % 4096, "page-aligned");
            assertTrue(paddr + initrd.length <= RAM && paddr + initrd.length > RAM - 4096, "at the top of RAM");
            assertArrayEquals(initrd, memory.read(paddr, initrd.length));
        }

        @Test
        void emptyInitrdIsNoModule() throws Exception {
            PvhImage.Loaded loaded = parse(vmlinux64()).load(memory, "x", new byte[0], 0);
            assertEquals(0, u32(loaded.startInfoAddress() + 12));
            assertEquals(0, u64(loaded.startInfoAddress() + 16));
        }

        @Test
        void structuresDoNotOverlapAndStayInLowMemoryOffPageZero() throws Exception {
            PvhImage.Loaded loaded = parse(vmlinux64()).load(memory, "a".repeat(3000), new byte[1], 0);
            long si = loaded.startInfoAddress();
            long[][] ranges = {{si, si + 56}, {u64(si + 16), u64(si + 16) + 32}, {u64(si + 40), u64(si + 40) + 6 * 24},
                {u64(si + 24), u64(si + 24) + 3001}, {0x1000, 0x1020}};
            for (int i = 0; i < ranges.length; i++) {
                assertTrue(ranges[i][0] >= 0x1000 && ranges[i][1] <= 0x9fc00, "range " + i);
                for (int j = 0; j < i; j++) {
                    assertTrue(ranges[i][1] <= ranges[j][0] || ranges[j][1] <= ranges[i][0], i + " overlaps " + j);
                }
            }
        }

        @Test
        void commandLineIsUtf8AndNulTerminated() throws Exception {
            PvhImage.Loaded loaded = parse(vmlinux64()).load(memory, "name=\u00fc", null, 0);
            byte[] expected = "name=\u00fc\0".getBytes(StandardCharsets.UTF_8);
            assertArrayEquals(expected, memory.read(u64(loaded.startInfoAddress() + 24), expected.length));
        }

        @Test
        void cpuEntersIn32BitProtectedModeWithEbxPointingAtTheStartInfo() throws Exception {
            PvhImage.Loaded loaded = parse(vmlinux64()).load(memory, "x", null, 0);
            assertEquals(ENTRY, loaded.entry());
            Regs r = loaded.cpu().regs();
            assertEquals(0x6000, r.rbx(), "EBX = start info");
            assertEquals(ENTRY, r.rip());
            assertEquals(0x2, r.rflags(), "IF, TF, VM clear");
            Sregs s = loaded.bootCpu(BootTesting.resetSregs()).sregs();
            assertEquals(0x11, s.cr0(), "PE (and ET, read-only 1); paging off");
            assertEquals(0, s.cr4(), "CR4 all clear");
            assertEquals(0, s.efer());
            Segment cs = s.cs();
            assertEquals(0, cs.base());
            assertEquals(0xffffffff, cs.limit());
            assertTrue(cs.db() && !cs.l() && (cs.type() & 0xa) == 0xa, "32-bit read/execute code");
            for (Segment d : new Segment[] {s.ds(), s.es(), s.ss()}) {
                assertEquals(0, d.base());
                assertEquals(0xffffffff, d.limit());
                assertEquals(0x3, d.type(), "read/write data");
            }
            assertEquals(0x67, s.tr().limit(), "TR: a 32-bit busy TSS of limit 0x67");
            assertEquals(0xb, s.tr().type());
            assertEquals(0, s.tr().base());
            assertEquals(loaded.cpu().regs(), loaded.bootCpu(BootTesting.resetSregs()).regs());
            // the GDT the state points at holds the very descriptors loaded into CS and DS
            assertEquals(KernelEntry.descriptor(cs), u64(s.gdt().base() + cs.selector()));
            assertEquals(KernelEntry.descriptor(s.ds()), u64(s.gdt().base() + s.ds().selector()));
        }

        @Test
        void segmentBeyondRamIsRejected() {
            byte[] bytes = ElfBuilder.elf64().entry(0x3f00000).load(0x1000, 0x3f00000, 0x10, 0x200000)
                    .noteSegment(0x200, ElfBuilder.note("Xen", 18, ElfBuilder.u32(0x3f00000)))
                    .put(0x1000, new byte[0x10]).build();
            BootImageException e = assertThrows(BootImageException.class,
                    () -> parse(bytes).load(memory, "", null, 0));
            assertEquals("segment 0 at 0x3f00000-0x4100000 does not fit in 64 MiB of guest RAM; give the VM more "
                    + "memory with -m", e.problem());
        }

        @Test
        void segmentBelowOneMibIsRejected() {
            byte[] bytes = ElfBuilder.elf32().entry(0x8000).load(0x1000, 0x8000, 0x10, 0x10)
                    .noteSegment(0x200, ElfBuilder.note("Xen", 18, ElfBuilder.u32(0x8000)))
                    .put(0x1000, new byte[0x10]).build();
            BootImageException e = assertThrows(BootImageException.class,
                    () -> parse(bytes).load(memory, "", null, 0));
            assertEquals("segment 0 at 0x8000-0x8010 lies below 1 MiB, where jvmm keeps the boot data and firmware; "
                    + "link the kernel at 1 MiB or above", e.problem());
        }

        @Test
        void initrdThatDoesNotFitAboveTheKernelIsRejectedBeforeWriting() throws Exception {
            PvhImage img = parse(vmlinux64());
            byte[] initrd = new byte[(int) (RAM - 0x2003000 + 1)];
            BootImageException e = assertThrows(BootImageException.class, () -> img.load(memory, "", initrd, 0));
            assertTrue(e.problem().startsWith("the " + initrd.length + "-byte initrd does not fit between the "
                    + "kernel's end (0x2003000) and the end of 64 MiB of RAM"), e.problem());
            assertTrue(e.problem().endsWith("-m"), e.problem());
            assertEquals(0xa5, memory.readU8(0x1000000), "nothing written");
        }

        @Test
        void commandLineTooLongForItsAreaIsRejected() throws Exception {
            PvhImage img = parse(vmlinux64());
            BootImageException e = assertThrows(BootImageException.class,
                    () -> img.load(memory, "x".repeat(0x10000), null, 0));
            assertEquals("the command line is 65536 bytes, more than the 65535 jvmm has room for", e.problem());
            img.load(memory, "x".repeat(0xffff), null, 0);
        }

        @Test
        void loadingAgainGivesTheSameMemory() throws Exception {
            PvhImage img = parse(vmlinux64());
            byte[] initrd = ElfBuilder.pattern(5000, 3);
            PvhImage.Loaded first = img.load(memory, "a b", initrd, 0xe0000);
            byte[] low = memory.read(0, 0x30000);
            byte[] image = memory.read(0x1000000, TEXT.length);
            byte[] top = memory.read(RAM - 0x2000, initrd.length);
            memory.fill(0, RAM, (byte) 0x5a); // the guest scribbled everywhere
            PvhImage.Loaded second = img.load(memory, "a b", initrd, 0xe0000);
            assertEquals(first, second);
            byte[] low2 = memory.read(0, 0x30000);
            for (long[] r : new long[][] {{0x1000, 0x1020}, {0x6000, 0x6038}, {0x6040, 0x6060},
                {0x7000, 0x7000 + 6 * 24}, {0x20000, 0x20004}}) {
                for (int a = (int) r[0]; a < r[1]; a++) {
                    assertEquals(low[a], low2[a], "0x" + Integer.toHexString(a));
                }
            }
            assertArrayEquals(image, memory.read(0x1000000, TEXT.length));
            assertArrayEquals(top, memory.read(RAM - 0x2000, initrd.length));
        }
    }
}
