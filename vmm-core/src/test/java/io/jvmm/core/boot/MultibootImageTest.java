package io.jvmm.core.boot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.core.memory.GuestMemory;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * MultibootImage against the Multiboot Specification 0.6.96: the header search and checks, the
 * fit checks, and what {@link MultibootImage#load} leaves in real (mmap-backed) guest RAM, read
 * back field by field as a Multiboot kernel would.
 */
class MultibootImageTest {
    private static final long MIB = 1L << 20;
    private static final long RAM = 8 * MIB;
    private static final int TEXT_SIZE = 0x300;
    private static final long IMAGE_END = 0x102345; // 0x100000 + memsz
    private static final byte[] TEXT = ElfBuilder.pattern(TEXT_SIZE, 0x11);

    // Multiboot information flags (spec section 3.3)
    private static final int MBI_MEM = 1;
    private static final int MBI_CMDLINE = 1 << 2;
    private static final int MBI_MODS = 1 << 3;
    private static final int MBI_MMAP = 1 << 6;
    private static final int MBI_LOADER_NAME = 1 << 9;

    /** ELF32, entry 0x100000, one segment: 0x300 bytes of text and .bss up to 0x102345; header flags 3. */
    static byte[] standardImage() {
        return ElfBuilder.elf32().entry(0x100000).multiboot(0x800, 0x3)
                .load(0x1000, 0x100000, TEXT_SIZE, IMAGE_END - 0x100000).put(0x1000, TEXT).build();
    }

    static MultibootImage parse(byte[] bytes) throws BootImageException {
        return MultibootImage.parse("img.elf", bytes);
    }

    static BootImageException rejects(byte[] bytes) {
        return assertThrows(BootImageException.class, () -> parse(bytes));
    }

    /** An image whose only interesting part is a Multiboot header (or other 12 bytes) at {@code at}. */
    static ElfBuilder small() {
        return ElfBuilder.elf32().entry(0x100000).load(0x100, 0x100000, 0x10, 0x10);
    }

    // ---------------------------------------------------------------- parsing

    @Test
    void validElf32Image() throws Exception {
        MultibootImage img = parse(standardImage());
        assertEquals("img.elf", img.source());
        assertEquals(0x3, img.headerFlags());
        assertEquals(0x100000, img.entry());
        assertEquals(IMAGE_END, img.end());
        assertEquals(1, img.elf().segments().size());
    }

    @Test
    void validElf64ImageWithHigherHalfEntry() throws Exception {
        byte[] bytes = ElfBuilder.elf64().entry(0xffffffff80100040L).multiboot(0x400, 0x10003)
                .segment(ElfBuilder.PT_LOAD, 0x1000, 0xffffffff80100000L, 0x100000, 0x80, 0x1000)
                .put(0x1000, ElfBuilder.pattern(0x80, 9)).build();
        MultibootImage img = parse(bytes);
        assertEquals(0x10003, img.headerFlags()); // bit 16 (a.out kludge) is not a required feature
        assertEquals(0x100040, img.entry());
        assertEquals(0x101000, img.end());
    }

    @Test
    void endIsTheHighestSegmentEndNotTheLast() throws Exception {
        byte[] bytes = small().multiboot(0x1c0, 0).load(0x110, 0x300000, 0x10, 0x5000)
                .load(0x120, 0x200000, 0x10, 0x10).length(0x200).build();
        assertEquals(0x305000, parse(bytes).end());
    }

    @Test
    void requiredFlagBitsZeroOneAndTwoAreAccepted() throws Exception {
        for (int flags : new int[] {0, 1, 2, 4, 7, 0x7 | 0xfffe0000}) {
            assertEquals(flags, parse(small().multiboot(0x80, flags).length(0x200).build()).headerFlags());
        }
    }

    @Test
    void elfErrorsComeThroughUnchanged() {
        BootImageException e = rejects(new byte[] {'M', 'Z', 0, 0, 0});
        assertEquals("img.elf: not an ELF file (it starts with 4d 5a 00 00); jvmm boots Multiboot ELF images",
                e.getMessage());
    }

    @Test
    void missingMultibootHeader() {
        BootImageException e = rejects(small().length(0x200).build());
        assertEquals("ELF file without a Multiboot header (magic 0x1BADB002 in the first 8192 bytes); "
                + "jvmm boots Multiboot images", e.problem());
    }

    @Test
    void headerEndingExactlyAt8192IsFound() throws Exception {
        assertEquals(0x3, parse(small().multiboot(8180, 0x3).build()).headerFlags());
    }

    @Test
    void headerBeyondTheFirst8192BytesIsNotFound() {
        BootImageException e = rejects(small().multiboot(8184, 0x3).build());
        assertTrue(e.problem().startsWith("ELF file without a Multiboot header"), e.problem());
        BootImageException e2 = rejects(small().multiboot(8192, 0x3).length(0x3000).build());
        assertTrue(e2.problem().startsWith("ELF file without a Multiboot header"), e2.problem());
    }

    @Test
    void headerMustBeLongwordAligned() {
        BootImageException e = rejects(small().multiboot(0x802, 0x3).build());
        assertTrue(e.problem().startsWith("ELF file without a Multiboot header"), e.problem());
    }

    @Test
    void headerInTheLastTwelveBytesOfAShortFileIsFound() throws Exception {
        byte[] bytes = small().multiboot(0x1f4, 0x1).length(0x200).build();
        assertEquals(0x1, parse(bytes).headerFlags());
    }

    @Test
    void headerCutOffByTheEndOfTheFileIsNotFound() {
        // magic and flags present, checksum missing
        byte[] bytes = small().multiboot(0x1f8, 0x1).length(0x200).build();
        BootImageException e = rejects(bytes);
        assertTrue(e.problem().startsWith("ELF file without a Multiboot header"), e.problem());
    }

    @Test
    void badChecksum() {
        int flags = 0x3;
        byte[] bytes = small().multibootRaw(0x800, ElfBuilder.MB_MAGIC, flags, -(ElfBuilder.MB_MAGIC + flags) + 1)
                .build();
        BootImageException e = rejects(bytes);
        assertEquals("the Multiboot magic at offset 2048 has a bad checksum (magic + flags + checksum = 0x1, must be "
                + "0) and no valid header follows it", e.problem());
    }

    @Test
    void checksumOfZeroIsBadUnlessItBalances() {
        byte[] bytes = small().multibootRaw(0x100, ElfBuilder.MB_MAGIC, 0, 0).length(0x200).build();
        BootImageException e = rejects(bytes);
        assertEquals("the Multiboot magic at offset 256 has a bad checksum (magic + flags + checksum = 0x1badb002, "
                + "must be 0) and no valid header follows it", e.problem());
    }

    @Test
    void aMagicWithABadChecksumIsSkippedForAValidHeaderLaterOn() throws Exception {
        int flags = 0x3;
        byte[] bytes = small().multibootRaw(0x100, ElfBuilder.MB_MAGIC, flags, 12345).multiboot(0x800, flags).build();
        assertEquals(flags, MultibootImage.parse("two-magics", bytes).headerFlags());
    }

    @Test
    void unsupportedRequiredFlagBit3() {
        BootImageException e = rejects(small().multiboot(0x800, 0x8 | 0x3).build());
        assertEquals("Multiboot header requires features 0x8 (flag bits 3-15) that jvmm does not provide",
                e.problem());
    }

    @Test
    void unsupportedRequiredFlagBits3And15AreBothNamed() {
        BootImageException e = rejects(small().multiboot(0x800, 0x8008).build());
        assertEquals("Multiboot header requires features 0x8008 (flag bits 3-15) that jvmm does not provide",
                e.problem());
    }

    @Test
    void entryAboveFourGibIsRejected() {
        byte[] bytes = ElfBuilder.elf64().entry(0x100000000L).multiboot(0x800, 0)
                .load(0x1000, 0x100000000L, 0x10, 0x10).length(0x1010).build();
        BootImageException e = rejects(bytes);
        assertEquals("entry point 0x100000000 is above 4 GiB; Multiboot enters the image in 32-bit mode",
                e.problem());
    }

    // ---------------------------------------------------------------- checkFits

    static MultibootImage withSegments(long[]... segs) throws BootImageException {
        ElfBuilder b = ElfBuilder.elf64().entry(0x100000).multiboot(0x1c0, 0); // after up to 3 phdrs
        for (long[] s : segs) {
            b.segment(ElfBuilder.PT_LOAD, 0x100, s[0], s[0], 0, s[1]);
        }
        return parse(b.length(0x200).build());
    }

    @Test
    void segmentEndingAtTheEndOfRamFits() throws Exception {
        assertDoesNotThrow(() -> withSegments(new long[] {0x100000, RAM - 0x100000}).checkFits(RAM));
    }

    @Test
    void segmentPastTheEndOfRamDoesNotFit() throws Exception {
        MultibootImage img = withSegments(new long[] {0x100000, RAM});
        BootImageException e = assertThrows(BootImageException.class, () -> img.checkFits(RAM));
        assertEquals("segment 0 at 0x100000-0x900000 does not fit in 8 MiB of guest RAM; give the VM more memory "
                + "with -m", e.problem());
        assertTrue(e.getMessage().contains("-m"));
        assertDoesNotThrow(() -> img.checkFits(16 * MIB));
    }

    @Test
    void oneByteTooManyDoesNotFit() throws Exception {
        MultibootImage img = withSegments(new long[] {0x100000, 0x100000}, new long[] {0x300000, RAM - 0x300000 + 1});
        BootImageException e = assertThrows(BootImageException.class, () -> img.checkFits(RAM));
        assertEquals("segment 1 at 0x300000-0x800001 does not fit in 8 MiB of guest RAM; give the VM more memory "
                + "with -m", e.problem());
    }

    @Test
    void segmentWrappingTheAddressSpaceDoesNotFit() throws Exception {
        MultibootImage img = withSegments(new long[] {0xfffffffffffff000L, 0x2000});
        BootImageException e = assertThrows(BootImageException.class, () -> img.checkFits(RAM));
        assertTrue(e.problem().startsWith("segment 0 at 0xfffffffffffff000-0x1000 does not fit in 8 MiB"),
                e.problem());
    }

    @Test
    void segmentAtAHugeAddressDoesNotFit() throws Exception {
        MultibootImage img = withSegments(new long[] {0x8000000000000000L, 0x1000});
        BootImageException e = assertThrows(BootImageException.class, () -> img.checkFits(RAM));
        assertTrue(e.problem().contains("does not fit in 8 MiB of guest RAM; give the VM more memory with -m"),
                e.problem());
    }

    @Test
    void segmentOverlappingTheFirmwareArea() throws Exception {
        MultibootImage img = withSegments(new long[] {0xf0000, 0x100});
        BootImageException e = assertThrows(BootImageException.class, () -> img.checkFits(RAM));
        assertEquals("segment 0 at 0xf0000-0xf0100 overlaps the firmware area 0xe0000-0x100000; link the image "
                + "elsewhere (1 MiB is usual)", e.problem());
    }

    @Test
    void firmwareAreaBoundaries() throws Exception {
        // touching the area from either side is fine
        assertDoesNotThrow(() -> withSegments(new long[] {0xdf000, 0x1000}).checkFits(RAM));
        assertDoesNotThrow(() -> withSegments(new long[] {0x100000, 0x1000}).checkFits(RAM));
        assertDoesNotThrow(() -> withSegments(new long[] {0x1000, 0x1000}).checkFits(RAM));
        // one byte into it is not
        for (long[] s : new long[][] {{0xdffff, 2}, {0xfffff, 2}, {0xe0000, 1}, {0x0, 0x200000}}) {
            MultibootImage img = withSegments(s);
            BootImageException e = assertThrows(BootImageException.class, () -> img.checkFits(RAM),
                    Long.toHexString(s[0]));
            assertTrue(e.problem().contains("overlaps the firmware area 0xe0000-0x100000"), e.problem());
        }
    }

    @Test
    void emptySegmentsAreIgnoredWherever() throws Exception {
        assertDoesNotThrow(() -> withSegments(new long[] {0x100000, 0x1000}, new long[] {0xf0000, 0},
                new long[] {0x40000000L, 0}).checkFits(RAM));
    }

    // ---------------------------------------------------------------- loading

    @Nested
    class Loading {
        private GuestMemory memory;

        @BeforeEach
        void allocate() {
            memory = GuestMemory.allocate(RAM);
            memory.fill(0, RAM, (byte) 0xA5); // garbage everywhere, to prove what the loader clears
        }

        @AfterEach
        void free() {
            memory.close();
        }

        private long u32(long address) {
            return memory.readU32(address);
        }

        private String cString(long address) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (long a = address; ; a++) {
                int b = memory.readU8(a);
                if (b == 0) {
                    return out.toString(StandardCharsets.UTF_8);
                }
                out.write(b);
                assertTrue(a - address < 4096, "unterminated string at 0x" + Long.toHexString(address));
            }
        }

        private record MmapEntry(long base, long length, long type) {
        }

        /** Walks the memory map as the spec says: each entry's size field gives the distance to the next, minus 4. */
        private List<MmapEntry> mmap(long info) {
            long addr = u32(info + 48);
            long end = addr + u32(info + 44);
            List<MmapEntry> out = new ArrayList<>();
            while (addr < end) {
                long size = u32(addr);
                assertEquals(20, size, "mmap entry size field");
                out.add(new MmapEntry(memory.readU64(addr + 4), memory.readU64(addr + 12), u32(addr + 20)));
                addr += size + 4;
            }
            assertEquals(end, addr, "mmap_length is a whole number of entries");
            return out;
        }

        @Test
        void segmentBytesGoToTheirPhysicalAddressAndBssIsZeroed() throws Exception {
            MultibootImage img = parse(standardImage());
            img.load(memory, "img.elf", List.of());
            assertArrayEquals(TEXT, memory.read(0x100000, TEXT_SIZE));
            byte[] bss = memory.read(0x100000 + TEXT_SIZE, (int) (IMAGE_END - 0x100000 - TEXT_SIZE));
            assertArrayEquals(new byte[bss.length], bss);
            // nothing around the image is touched
            assertEquals(0xA5, memory.readU8(0xfffff));
            assertEquals(0xA5, memory.readU8(IMAGE_END));
            assertEquals(0xA5, memory.readU8(0xfff));
        }

        @Test
        void higherHalfElf64SegmentsGoToTheirPhysicalAddresses() throws Exception {
            byte[] text = ElfBuilder.pattern(0x80, 0x42);
            byte[] data = ElfBuilder.pattern(0x20, 0x77);
            byte[] bytes = ElfBuilder.elf64().entry(0xffffffff80100010L).multiboot(0x400, 0x3)
                    .segment(ElfBuilder.PT_LOAD, 0x1000, 0xffffffff80100000L, 0x100000, 0x80, 0x80)
                    .segment(ElfBuilder.PT_LOAD, 0x1080, 0xffffffff80200000L, 0x200000, 0x20, 0x1000)
                    .put(0x1000, text).put(0x1080, data).build();
            MultibootImage.Loaded loaded = parse(bytes).load(memory, "k", List.of());
            assertEquals(0x100010, loaded.entry());
            assertArrayEquals(text, memory.read(0x100000, 0x80));
            assertArrayEquals(data, memory.read(0x200000, 0x20));
            assertArrayEquals(new byte[0x1000 - 0x20], memory.read(0x200020, 0x1000 - 0x20));
            assertEquals(0x201000, loaded.infoAddress());
        }

        @Test
        void infoGoesOnTheFirstPageAfterTheImage() throws Exception {
            MultibootImage.Loaded loaded = parse(standardImage()).load(memory, "img.elf", List.of());
            assertEquals(0x100000, loaded.entry());
            assertEquals(0x103000, loaded.infoAddress());
        }

        @Test
        void imageEndingOnAPageBoundaryIsFollowedDirectlyByTheInfo() throws Exception {
            byte[] bytes = ElfBuilder.elf32().entry(0x100000).multiboot(0x80, 0).load(0x100, 0x100000, 0x10, 0x3000)
                    .length(0x200).build();
            assertEquals(0x103000, parse(bytes).load(memory, "x", List.of()).infoAddress());
        }

        @Test
        void infoNeverGoesBelowOneMib() throws Exception {
            byte[] bytes = ElfBuilder.elf32().entry(0x10000).multiboot(0x80, 0).load(0x100, 0x10000, 0x10, 0x1000)
                    .length(0x200).build();
            MultibootImage.Loaded loaded = parse(bytes).load(memory, "low", List.of());
            assertEquals(0x10000, loaded.entry());
            assertEquals(0x100000, loaded.infoAddress());
            assertEquals(0x9fc00 / 1024, u32(loaded.infoAddress() + 4));
        }

        @Test
        void infoStructureMatchesTheSpecWithoutModules() throws Exception {
            MultibootImage.Loaded loaded = parse(standardImage()).load(memory, "img.elf console=ttyS0", List.of());
            long info = loaded.infoAddress();
            assertEquals(MBI_MEM | MBI_CMDLINE | MBI_MMAP | MBI_LOADER_NAME, u32(info));
            assertEquals(0x245, u32(info));
            assertEquals(639, u32(info + 4), "mem_lower in KiB");
            assertEquals((RAM - MIB) / 1024, u32(info + 8), "mem_upper in KiB");
            assertEquals(7168, u32(info + 8));
            assertEquals("img.elf console=ttyS0", cString(u32(info + 16)));
            assertEquals(0, u32(info + 20), "mods_count");
            assertEquals(0, u32(info + 24), "mods_addr");
            assertEquals("jvmm", cString(u32(info + 64)));
            // fields whose flag bits are clear are zeroed, not left as garbage
            for (int off : new int[] {12, 28, 32, 36, 40, 52, 56, 60, 68, 72, 76, 80, 84, 88, 92, 96, 100, 104, 108,
                    112}) {
                assertEquals(0, u32(info + off), "offset " + off);
            }
        }

        @Test
        void memoryMapListsUsableAndReservedRegions() throws Exception {
            MultibootImage.Loaded loaded = parse(standardImage()).load(memory, "img.elf", List.of());
            long info = loaded.infoAddress();
            assertEquals(6 * 24, u32(info + 44), "mmap_length");
            // E820Map's map: low RAM, everything from the EBDA to 1 MiB reserved, high RAM, then the
            // IOAPIC and LAPIC windows and KVM's private pages, which are not RAM
            assertEquals(List.of(new MmapEntry(0, 0x9fc00, 1), new MmapEntry(0x9fc00, 0x60400, 2),
                    new MmapEntry(0x100000, RAM - MIB, 1), new MmapEntry(0xfec00000L, 0x1000, 2),
                    new MmapEntry(0xfee00000L, 0x1000, 2), new MmapEntry(0xfffbc000L, 0x4000, 2)), mmap(info));
            // mmap_addr is 4-byte aligned (the entries hold 64-bit fields read by 32-bit code)
            assertEquals(0, u32(info + 48) % 4);
        }

        @Test
        void memoryMapOfALargerMachineEndsAtItsRam() throws Exception {
            memory.close();
            memory = GuestMemory.allocate(64 * MIB);
            MultibootImage.Loaded loaded = parse(standardImage()).load(memory, "img.elf", List.of());
            assertEquals(new MmapEntry(0x100000, 63 * MIB, 1), mmap(loaded.infoAddress()).get(2));
            assertEquals(63 * 1024, u32(loaded.infoAddress() + 8));
        }

        @Test
        void stringsAndMapLieBetweenTheInfoAndTheReturnedEnd() throws Exception {
            MultibootImage.Loaded loaded = parse(standardImage()).load(memory, "img.elf a=b", List.of());
            long info = loaded.infoAddress();
            long cmd = u32(info + 16);
            long loader = u32(info + 64);
            long mmap = u32(info + 48);
            for (long p : new long[] {cmd, loader, mmap}) {
                assertTrue(p >= info + 88 && p < loaded.end(), "0x" + Long.toHexString(p));
            }
            assertTrue(cmd + "img.elf a=b".length() + 1 <= loaded.end());
            assertTrue(loader + 5 <= loaded.end());
            assertTrue(mmap + 96 <= loaded.end());
            assertTrue(loaded.end() <= RAM);
        }

        @Test
        void commandLineIsUtf8AndNulTerminated() throws Exception {
            MultibootImage.Loaded loaded = parse(standardImage()).load(memory, "img.elf name=\u00fc", List.of());
            long cmd = u32(loaded.infoAddress() + 16);
            byte[] expected = "img.elf name=\u00fc\0".getBytes(StandardCharsets.UTF_8);
            assertArrayEquals(expected, memory.read(cmd, expected.length));
        }

        @Test
        void modulesAreDescribedAndCopied() throws Exception {
            byte[] one = ElfBuilder.pattern(5000, 0x21);
            byte[] two = {1, 2, 3};
            List<BootModule> modules = List.of(new BootModule("/boot/initrd.img root=/dev/ram", one),
                    new BootModule("two", two));
            MultibootImage.Loaded loaded = parse(standardImage()).load(memory, "img.elf", modules);
            long info = loaded.infoAddress();
            assertEquals(MBI_MEM | MBI_CMDLINE | MBI_MODS | MBI_MMAP | MBI_LOADER_NAME, u32(info));
            assertEquals(2, u32(info + 20));
            long mods = u32(info + 24);
            assertTrue(mods > info && mods % 4 == 0, "mods_addr 0x" + Long.toHexString(mods));
            long prevEnd = info;
            for (int i = 0; i < 2; i++) {
                long e = mods + 16L * i;
                long start = u32(e);
                long end = u32(e + 4);
                byte[] data = i == 0 ? one : two;
                assertEquals(0, start % 4096, "mod_start is page-aligned (header flag 0)");
                assertEquals(start + data.length, end, "mod_end");
                assertTrue(start >= prevEnd, "modules do not overlap what comes before them");
                assertTrue(start >= mods + 32, "module contents come after the module table");
                assertEquals(i == 0 ? "/boot/initrd.img root=/dev/ram" : "two", cString(u32(e + 8)));
                assertEquals(0, u32(e + 12), "reserved");
                assertArrayEquals(data, memory.read(start, data.length));
                prevEnd = end;
            }
            assertEquals(prevEnd, loaded.end(), "end is the first byte past the last module");
            assertTrue(u32(mods) > IMAGE_END);
        }

        @Test
        void emptyModuleHasEqualStartAndEnd() throws Exception {
            MultibootImage.Loaded loaded = parse(standardImage()).load(memory, "img.elf",
                    List.of(new BootModule("empty", new byte[0])));
            long mods = u32(loaded.infoAddress() + 24);
            assertEquals(u32(mods), u32(mods + 4));
            assertEquals("empty", cString(u32(mods + 8)));
        }

        @Test
        void moduleFillingRamToTheLastByteFitsAndOneMoreDoesNot() throws Exception {
            MultibootImage img = parse(standardImage());
            long start = u32(u32(img.load(memory, "img.elf", List.of(new BootModule("m", new byte[1])))
                    .infoAddress() + 24));
            int exact = (int) (RAM - start);
            MultibootImage.Loaded loaded = img.load(memory, "img.elf", List.of(new BootModule("m", new byte[exact])));
            assertEquals(RAM, loaded.end());
            assertEquals(start, u32(u32(loaded.infoAddress() + 24)));

            BootImageException e = assertThrows(BootImageException.class,
                    () -> img.load(memory, "img.elf", List.of(new BootModule("m", new byte[exact + 1]))));
            assertTrue(e.problem().startsWith("the Multiboot information and 1 module(s) need memory up to 0x"),
                    e.problem());
            assertTrue(e.problem().endsWith("past the end of 8 MiB of RAM; give the VM more memory with -m"),
                    e.problem());
        }

        @Test
        void modulesThatDoNotFitAreRejected() throws Exception {
            MultibootImage img = parse(standardImage());
            List<BootModule> mods = List.of(new BootModule("a", new byte[4 << 20]), new BootModule("b",
                    new byte[4 << 20]));
            BootImageException e = assertThrows(BootImageException.class, () -> img.load(memory, "img.elf", mods));
            assertEquals("img.elf", e.source());
            assertTrue(e.problem().contains("2 module(s)"), e.problem());
            assertTrue(e.getMessage().contains("-m"), e.getMessage());
        }

        @Test
        void loadRefusesAnImageThatDoesNotFitBeforeWritingAnything() throws Exception {
            byte[] bytes = ElfBuilder.elf32().entry(0x100000).multiboot(0x80, 0)
                    .load(0x1000, 0x100000, 0x10, 0x10).load(0x1010, 0x700000, 0x10, 0x200000)
                    .put(0x1000, ElfBuilder.pattern(0x20, 1)).build();
            MultibootImage img = parse(bytes);
            BootImageException e = assertThrows(BootImageException.class, () -> img.load(memory, "x", List.of()));
            assertTrue(e.problem().contains("-m"), e.problem());
            assertEquals(0xA5, memory.readU8(0x100000), "first segment must not have been written");
        }

        @Test
        void loadingAgainGivesTheSameMemory() throws Exception {
            MultibootImage img = parse(standardImage());
            List<BootModule> mods = List.of(new BootModule("m", ElfBuilder.pattern(100, 5)));
            MultibootImage.Loaded first = img.load(memory, "img.elf x", mods);
            int infoLength = (int) (first.end() - first.infoAddress());
            byte[] image = memory.read(0x100000, (int) (IMAGE_END - 0x100000));
            byte[] info = memory.read(first.infoAddress(), infoLength);
            memory.fill(0x100000, RAM - 0x100000, (byte) 0x5A); // the guest scribbled everywhere
            MultibootImage.Loaded second = img.load(memory, "img.elf x", mods);
            assertEquals(first, second);
            assertArrayEquals(image, memory.read(0x100000, (int) (IMAGE_END - 0x100000)));
            assertArrayEquals(info, memory.read(first.infoAddress(), infoLength));
        }
    }
}
