package io.jvmm.core.boot;

import static io.jvmm.core.boot.BootTesting.cString;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.core.memory.GuestMemory;
import io.jvmm.kvm.Regs;
import io.jvmm.kvm.Sregs;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * BzImage against the Linux/x86 boot protocol (Documentation/arch/x86/boot.rst): the header
 * checks, the memory the kernel needs, and the zero page, command line, initrd, GDT, page tables
 * and CPU state that {@link BzImage#load} leaves, read back from real guest RAM at the offsets
 * the kernel reads.
 */
class BzImageTest {
    private static final long MIB = 1L << 20;
    private static final long RAM = 64 * MIB;

    static BzImage parse(byte[] bytes) throws BootImageException {
        return BzImage.parse("bzImage", bytes);
    }

    static String problem(BzImageBuilder b) {
        return assertThrows(BootImageException.class, () -> parse(b.build())).problem();
    }

    // ---------------------------------------------------------------- parsing

    @Test
    void protocol215KernelIsParsed() throws Exception {
        BzImage img = parse(new BzImageBuilder().build());
        assertEquals(0x020f, img.protocol());
        assertTrue(img.kernel64());
        assertEquals(5 * 512, img.kernelOffset());
        assertEquals(0x3000, img.kernelLength());
        assertArrayEquals(ElfBuilder.pattern(0x3000, 0x40), img.protectedModeKernel());
        assertEquals(0x100200, img.entry(), "startup_64");
        assertEquals(2047, img.cmdlineSize());
        assertEquals(0x7fffffff, img.initrdAddrMax());
        assertEquals("bzImage", img.source());
    }

    @Test
    void setupSectsZeroMeansFour() throws Exception {
        assertEquals(5 * 512, parse(new BzImageBuilder().setupSects(0).build()).kernelOffset());
        assertEquals(31 * 512, parse(new BzImageBuilder().setupSects(30).build()).kernelOffset());
    }

    @Test
    void withoutXlfKernel64TheEntryIs32Bit() throws Exception {
        BzImage img = parse(new BzImageBuilder().xloadflags(0x2).build());
        assertFalse(img.kernel64());
        assertEquals(0x100000, img.entry());
    }

    @Test
    void xloadflagsIsIgnoredBeforeProtocol212() throws Exception {
        BzImage img = parse(new BzImageBuilder().protocol(0x020b).xloadflags(0x1).build());
        assertFalse(img.kernel64(), "0x236 was padding before 2.12");
    }

    @Test
    void missingMagic() {
        assertEquals("not a bzImage (no \"HdrS\" setup header magic at offset 0x202)",
                problem(new BzImageBuilder().noMagic()));
    }

    @Test
    void protocolOlderThan206() {
        assertEquals("bzImage of boot protocol 2.04, older than 2.06; jvmm boots kernels from Linux 2.6.22 on",
                problem(new BzImageBuilder().protocol(0x0204)));
    }

    @Test
    void protocol206IsTheOldestAccepted() throws Exception {
        BzImage img = parse(new BzImageBuilder().protocol(0x0206).headerEnd(0x23c).build());
        assertEquals(0x0206, img.protocol());
        assertFalse(img.kernel64());
        assertEquals(0x100000 + 0x3000, img.end(), "no init_size before 2.10: the image itself");
    }

    @Test
    void zImageIsRejected() {
        assertEquals("a zImage (loaded at 0x10000, LOADED_HIGH clear in loadflags); jvmm boots bzImages, which load "
                + "at 1 MiB", problem(new BzImageBuilder().loadflags(0)));
    }

    @Test
    void headerEndOutsideItsRoomIsRejected() {
        assertEquals("the setup header of this protocol 2.15 bzImage claims to end at 0x230, outside 0x23c..0x290 "
                + "(a corrupt image?)", problem(new BzImageBuilder().headerEnd(0x230)));
        assertTrue(problem(new BzImageBuilder().headerEnd(0x2a0)).contains("claims to end at 0x2a0"));
    }

    @Test
    void imageWithoutAProtectedModeKernelIsTruncated() {
        assertEquals("truncated bzImage: 2560 bytes, but the protected-mode kernel starts at 0xa00",
                problem(new BzImageBuilder().kernel(new byte[0])));
    }

    @Test
    void tooShortForTheHeader() {
        assertThrows(BootImageException.class, () -> parse(new byte[0x205]));
        assertThrows(BootImageException.class, () -> parse(new byte[0]));
    }

    // ---------------------------------------------------------------- memory the kernel needs

    @Test
    void relocatableKernelDecompressesAtPrefAddress() throws Exception {
        // loaded at 1 MiB, aligned up to 2 MiB, below pref_address 16 MiB: it runs at 16 MiB
        assertEquals(0x1000000 + 0x800000, parse(new BzImageBuilder().build()).end());
    }

    @Test
    void relocatableKernelWithAHighAlignmentRunsAtTheAlignedLoadAddress() throws Exception {
        BzImage img = parse(new BzImageBuilder().prefAddress(0x100000).kernelAlignment(0x400000).build());
        assertEquals(0x400000 + 0x800000, img.end());
    }

    @Test
    void nonRelocatableKernelRunsAtPrefAddress() throws Exception {
        BzImage img = parse(new BzImageBuilder().relocatable(false).prefAddress(0x100000).build());
        assertEquals(0x100000 + 0x800000, img.end());
    }

    @Test
    void kernelNeedingMoreThanRamIsRejected() throws Exception {
        BzImage img = parse(new BzImageBuilder().initSize(0x3100000).build());
        BootImageException e = assertThrows(BootImageException.class, () -> img.checkFits(RAM));
        assertEquals("the kernel needs memory up to 0x4100000 (65 MiB) before it reads the memory map, past the "
                + "end of 64 MiB of RAM; give the VM more memory with -m", e.problem());
        img.checkFits(RAM + MIB);
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
            for (long[] r : new long[][] {{0, 0x40000}, {0xf0000, 0x110000}, {RAM - 0x100000, RAM}}) {
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

        private int u16(long addr) {
            return BootTesting.u16(memory, addr);
        }

        @Test
        void protectedModeKernelIsCopiedToOneMib() throws Exception {
            byte[] bytes = new BzImageBuilder().build();
            parse(bytes).load(memory, "", null, 0);
            byte[] kernel = java.util.Arrays.copyOfRange(bytes, 0xa00, bytes.length);
            assertArrayEquals(kernel, memory.read(0x100000, kernel.length));
            assertEquals(0xa5, memory.readU8(0x100000 + kernel.length), "nothing past the kernel");
            assertEquals(0xa5, memory.readU8(0xfffff), "nothing before it");
        }

        @Test
        void zeroPageHoldsTheImagesSetupHeaderWithTheLoadersFields() throws Exception {
            byte[] bytes = new BzImageBuilder().build();
            BzImage.Loaded loaded = parse(bytes).load(memory, "console=ttyS0", null, 0xe0000);
            long zp = loaded.bootParamsAddress();
            assertEquals(0x7000, zp);
            byte[] page = memory.read(zp, 4096);
            // header fields the loader does not touch are the image's
            for (int off = 0x1f1; off < 0x26c; off++) {
                boolean loaderField = off == 0x210 || off == 0x211 || (off >= 0x218 && off < 0x220)
                        || (off >= 0x224 && off < 0x226) || (off >= 0x228 && off < 0x22c);
                if (!loaderField) {
                    assertEquals(bytes[off], page[off], "header byte 0x" + Integer.toHexString(off));
                }
            }
            assertEquals(4, page[0x1f1], "setup_sects");
            assertEquals(0xaa55, u16(zp + 0x1fe), "boot_flag");
            assertEquals(0x53726448, u32(zp + 0x202), "header");
            assertEquals(0x020f, u16(zp + 0x206), "version");
            assertEquals(0x0003, u16(zp + 0x236), "xloadflags");
            assertEquals(0x1000000, memory.readU64(zp + 0x258), "pref_address");
            assertEquals(0x800000, u32(zp + 0x260), "init_size");
            assertEquals(0x5678, u32(zp + 0x268), "kernel_info_offset, the last field of a 2.15 header");
            // the loader's fields
            assertEquals(0xff, memory.readU8(zp + 0x210), "type_of_loader: undefined");
            assertEquals(0x81, memory.readU8(zp + 0x211), "loadflags: LOADED_HIGH | CAN_USE_HEAP");
            assertEquals(0xde00, u16(zp + 0x224), "heap_end_ptr");
            assertEquals(0x20000, u32(zp + 0x228), "cmd_line_ptr");
            assertEquals("console=ttyS0", cString(memory, u32(zp + 0x228)));
            assertEquals(0, u32(zp + 0x218), "ramdisk_image: none");
            assertEquals(0, u32(zp + 0x21c), "ramdisk_size: none");
            assertEquals(0xe0000, memory.readU64(zp + 0x070), "acpi_rsdp_addr");
        }

        @Test
        void everythingOutsideTheHeaderAndTheLoadersFieldsIsZero() throws Exception {
            BzImage.Loaded loaded = parse(new BzImageBuilder().build()).load(memory, "", null, 0xe0000);
            byte[] page = memory.read(loaded.bootParamsAddress(), 4096);
            for (int off = 0; off < 4096; off++) {
                boolean written = (off >= 0x070 && off < 0x078) || off == 0x1e8 || (off >= 0x1f1 && off < 0x26c)
                        || (off >= 0x2d0 && off < 0x2d0 + 6 * 20);
                if (!written) {
                    assertEquals(0, page[off], "zero page byte 0x" + Integer.toHexString(off));
                }
            }
            assertEquals(0, page[0x1ef], "sentinel clear: the loader built a clean zero page");
        }

        @Test
        void e820TableIsTheE820Map() throws Exception {
            BzImage.Loaded loaded = parse(new BzImageBuilder().build()).load(memory, "", null, 0);
            long zp = loaded.bootParamsAddress();
            E820Map expected = E820Map.forRam(RAM);
            assertEquals(expected.size(), memory.readU8(zp + 0x1e8), "e820_entries");
            for (int i = 0; i < expected.size(); i++) {
                long at = zp + 0x2d0 + 20L * i;
                E820Map.Entry e = expected.entries().get(i);
                assertEquals(e.addr(), memory.readU64(at), "addr " + i);
                assertEquals(e.size(), memory.readU64(at + 8), "size " + i);
                assertEquals(e.type().code(), u32(at + 16), "type " + i);
            }
        }

        @Test
        void rsdpAddressIsOnlyWrittenFromProtocol214() throws Exception {
            BzImage.Loaded loaded = parse(new BzImageBuilder().protocol(0x020d).build()).load(memory, "", null,
                    0xe0000);
            assertEquals(0, memory.readU64(loaded.bootParamsAddress() + 0x070), "2.13: acpi_rsdp_addr is padding");
            loaded = parse(new BzImageBuilder().protocol(0x020e).build()).load(memory, "", null, 0xe0000);
            assertEquals(0xe0000, memory.readU64(loaded.bootParamsAddress() + 0x070));
        }

        @Test
        void initrdGoesPageAlignedAtTheTopOfRam() throws Exception {
            byte[] initrd = ElfBuilder.pattern(10_000, 0x29);
            BzImage.Loaded loaded = parse(new BzImageBuilder().build()).load(memory, "", initrd, 0);
            long zp = loaded.bootParamsAddress();
            long image = u32(zp + 0x218);
            assertEquals(initrd.length, u32(zp + 0x21c));
            assertEquals(0, image % 4096);
            assertTrue(image + initrd.length <= RAM && image + initrd.length > RAM - 4096, "at the top of RAM");
            assertArrayEquals(initrd, memory.read(image, initrd.length));
        }

        @Test
        void initrdStaysBelowInitrdAddrMax() throws Exception {
            byte[] initrd = ElfBuilder.pattern(10_000, 0x29);
            BzImage.Loaded loaded = parse(new BzImageBuilder().initrdAddrMax(0x37fffff).build())
                    .load(memory, "", initrd, 0);
            long image = u32(loaded.bootParamsAddress() + 0x218);
            assertTrue(image + initrd.length - 1 <= 0x37fffff, "last byte at or below initrd_addr_max");
            assertTrue(image + initrd.length > 0x3800000 - 4096, "as high as it may go");
            assertEquals(0, image % 4096);
            assertArrayEquals(initrd, memory.read(image, initrd.length));
        }

        @Test
        void initrdThatWouldOverlapTheKernelsMemoryIsRejectedBeforeWriting() throws Exception {
            BzImage img = parse(new BzImageBuilder().build()); // needs memory up to 24 MiB
            byte[] initrd = new byte[(int) (RAM - 24 * MIB + 1)];
            BootImageException e = assertThrows(BootImageException.class, () -> img.load(memory, "", initrd, 0));
            assertEquals("the " + initrd.length + "-byte initrd does not fit between the kernel's end (0x1800000) "
                    + "and 0x4000000 (the end of 64 MiB of RAM, or initrd_addr_max + 1); give the VM more memory "
                    + "with -m", e.problem());
            assertEquals(0xa5, memory.readU8(0x100000), "nothing written");
            img.load(memory, "", new byte[(int) (RAM - 24 * MIB)], 0);
        }

        @Test
        void commandLineLongerThanCmdlineSizeIsRejected() throws Exception {
            BzImage img = parse(new BzImageBuilder().cmdlineSize(255).build());
            BootImageException e = assertThrows(BootImageException.class,
                    () -> img.load(memory, "x".repeat(256), null, 0));
            assertEquals("the command line is 256 bytes, longer than the 255 this kernel takes (cmdline_size)",
                    e.problem());
            BzImage.Loaded loaded = img.load(memory, "x".repeat(255), null, 0);
            assertEquals("x".repeat(255), cString(memory, u32(loaded.bootParamsAddress() + 0x228)));
        }

        @Test
        void commandLineIsUtf8AndNulTerminated() throws Exception {
            BzImage.Loaded loaded = parse(new BzImageBuilder().build()).load(memory, "name=\u00fc", null, 0);
            byte[] expected = "name=\u00fc\0".getBytes(StandardCharsets.UTF_8);
            assertArrayEquals(expected, memory.read(u32(loaded.bootParamsAddress() + 0x228), expected.length));
        }

        @Test
        void kernel64IsEnteredInLongModeAtStartup64WithRsiPointingAtTheZeroPage() throws Exception {
            BzImage.Loaded loaded = parse(new BzImageBuilder().build()).load(memory, "", null, 0);
            assertEquals(0x100200, loaded.entry());
            Regs r = loaded.cpu().regs();
            assertEquals(0x100200, r.rip());
            assertEquals(0x7000, r.rsi(), "RSI = boot_params");
            assertEquals(0x2, r.rflags(), "interrupts disabled");
            Sregs s = loaded.bootCpu(BootTesting.resetSregs()).sregs();
            assertTrue(s.longMode());
            assertEquals(0x10, s.cs().selector(), "__BOOT_CS");
            assertTrue(s.cs().l() && !s.cs().db(), "64-bit code segment");
            for (var d : new io.jvmm.kvm.Segment[] {s.ds(), s.es(), s.ss()}) {
                assertEquals(0x18, d.selector(), "__BOOT_DS");
                assertEquals(0, d.base());
                assertEquals(0xffffffff, d.limit());
            }
            assertEquals(0x80000011L, s.cr0(), "PE | ET | PG");
            assertEquals(0x20, s.cr4(), "PAE");
            assertEquals(0x500, s.efer(), "LME | LMA");
            assertEquals(0x9000, s.cr3());
            // the GDT and page tables the state points at are in memory
            assertEquals(0x00af9b000000ffffL, memory.readU64(s.gdt().base() + 0x10));
            assertEquals(0x00cf93000000ffffL, memory.readU64(s.gdt().base() + 0x18));
            assertEquals(31, s.gdt().limit());
            assertEquals(0xa003, memory.readU64(0x9000));
            assertEquals(0xb003, memory.readU64(0xa000));
            assertEquals(0x83, memory.readU64(0xb000));
            assertEquals((511L << 21) | 0x83, memory.readU64(0xb000 + 511 * 8));
        }

        @Test
        void identityMapCoversTheKernelTheZeroPageAndTheCommandLine() throws Exception {
            BzImage img = parse(new BzImageBuilder().build());
            BzImage.Loaded loaded = img.load(memory, "x", null, 0);
            long mapped = 512L << 21;
            assertTrue(0x100000 + 0x800000 <= mapped, "load address + init_size");
            assertTrue(loaded.bootParamsAddress() + 4096 <= mapped);
            assertTrue(0x20000 + 2048 <= mapped);
        }

        @Test
        void kernelWithout64BitEntryIsEnteredIn32BitModeAtOneMib() throws Exception {
            BzImage.Loaded loaded = parse(new BzImageBuilder().xloadflags(0).build()).load(memory, "", null, 0);
            assertEquals(0x100000, loaded.entry());
            Regs r = loaded.cpu().regs();
            assertEquals(0x100000, r.rip());
            assertEquals(0x7000, r.rsi(), "ESI = boot_params");
            assertEquals(0, r.rbx(), "EBX zero");
            assertEquals(0, r.rbp(), "EBP zero");
            assertEquals(0, r.rdi(), "EDI zero");
            Sregs s = loaded.bootCpu(BootTesting.resetSregs()).sregs();
            assertFalse(s.longMode());
            assertEquals(0x11, s.cr0(), "protected mode, paging off");
            assertEquals(0, s.efer());
            assertEquals(0x10, s.cs().selector());
            assertTrue(s.cs().db() && !s.cs().l(), "32-bit code segment");
            assertEquals(0x18, s.ss().selector());
            assertEquals(0x00cf9b000000ffffL, memory.readU64(s.gdt().base() + 0x10));
            assertEquals(0xa5, memory.readU8(0x9000), "no page tables written");
        }

        @Test
        void loadingAgainGivesTheSameMemory() throws Exception {
            BzImage img = parse(new BzImageBuilder().build());
            byte[] initrd = ElfBuilder.pattern(5000, 7);
            BzImage.Loaded first = img.load(memory, "a b", initrd, 0xe0000);
            byte[] zp = memory.read(0x7000, 4096);
            byte[] tables = memory.read(0x9000, 0x3000);
            byte[] kernel = memory.read(0x100000, 0x3000);
            long rd = u32(0x7000 + 0x218);
            memory.fill(0, RAM, (byte) 0x5a); // the guest scribbled everywhere
            BzImage.Loaded second = img.load(memory, "a b", initrd, 0xe0000);
            assertEquals(first, second);
            assertArrayEquals(zp, memory.read(0x7000, 4096));
            assertArrayEquals(tables, memory.read(0x9000, 0x3000));
            assertArrayEquals(kernel, memory.read(0x100000, 0x3000));
            assertArrayEquals(initrd, memory.read(rd, initrd.length));
        }
    }
}
