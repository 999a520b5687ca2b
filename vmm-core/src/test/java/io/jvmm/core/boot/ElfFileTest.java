package io.jvmm.core.boot;

import static io.jvmm.core.boot.ElfBuilder.PT_LOAD;
import static io.jvmm.core.boot.ElfBuilder.PT_NOTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** ElfFile: what it accepts from ELF32/ELF64 x86 executables, and the exact way it rejects everything else. */
class ElfFileTest {

    private static BootImageException rejects(byte[] bytes) {
        return assertThrows(BootImageException.class, () -> ElfFile.parse("img.elf", bytes));
    }

    private static void assertProblem(String expected, byte[] bytes) {
        BootImageException e = rejects(bytes);
        assertEquals("img.elf", e.source());
        assertEquals(expected, e.problem());
        assertEquals("img.elf: " + expected, e.getMessage());
    }

    // ---- accepted files ----

    @Test
    void elf32ExecutableIsParsed() throws Exception {
        byte[] bytes = ElfBuilder.elf32().entry(0x100010)
                .load(0x1000, 0x100000, 0x40, 0x2000)
                .put(0x1000, ElfBuilder.pattern(0x40, 1)).build();
        ElfFile elf = ElfFile.parse("img.elf", bytes);
        assertFalse(elf.is64());
        assertEquals(ElfFile.EM_386, elf.machine());
        assertEquals(0x100010, elf.entry());
        assertEquals(0x100010, elf.physicalEntry());
        assertEquals(List.of(new ElfFile.Segment(0x100000, 0x100000, 0x1000, 0x40, 0x2000)), elf.segments());
    }

    @Test
    void elf64ExecutableIsParsed() throws Exception {
        byte[] bytes = ElfBuilder.elf64().entry(0x200000)
                .load(0x1000, 0x200000, 0x80, 0x80)
                .put(0x1000, ElfBuilder.pattern(0x80, 3)).build();
        ElfFile elf = ElfFile.parse("img.elf", bytes);
        assertTrue(elf.is64());
        assertEquals(ElfFile.EM_X86_64, elf.machine());
        assertEquals(0x200000, elf.entry());
        assertEquals(List.of(new ElfFile.Segment(0x200000, 0x200000, 0x1000, 0x80, 0x80)), elf.segments());
    }

    @Test
    void elf32FieldsAboveTwoGibAreReadUnsigned() throws Exception {
        byte[] bytes = ElfBuilder.elf32().entry(0xC0100004L)
                .segment(PT_LOAD, 0x1000, 0xC0100000L, 0x100000, 0x10, 0x10).length(0x1010).build();
        ElfFile elf = ElfFile.parse("img.elf", bytes);
        assertEquals(0xC0100004L, elf.entry());
        assertEquals(0xC0100000L, elf.segments().get(0).virtualAddress());
        assertEquals(0x100004, elf.physicalEntry());
    }

    @Test
    void sharedObjectTypeIsAccepted() throws Exception {
        byte[] bytes = ElfBuilder.elf32().type(ElfBuilder.ET_DYN).entry(0x100000)
                .load(0x100, 0x100000, 0x10, 0x10).length(0x110).build();
        assertEquals(1, ElfFile.parse("img.elf", bytes).segments().size());
    }

    @Test
    void onlyLoadSegmentsAreKeptInFileOrder() throws Exception {
        byte[] bytes = ElfBuilder.elf32().entry(0x100000)
                .segment(PT_NOTE, 0x200, 0, 0, 0x10, 0x10)
                .load(0x1000, 0x100000, 0x100, 0x100)
                .segment(ElfBuilder.PT_NULL, 0, 0, 0, 0, 0)
                .load(0x1100, 0x200000, 0x20, 0x1000)
                .length(0x1200).build();
        ElfFile elf = ElfFile.parse("img.elf", bytes);
        assertEquals(List.of(new ElfFile.Segment(0x100000, 0x100000, 0x1000, 0x100, 0x100),
                new ElfFile.Segment(0x200000, 0x200000, 0x1100, 0x20, 0x1000)), elf.segments());
    }

    @Test
    void programHeadersMayLieAnywhereInTheFileWithLargerEntries() throws Exception {
        // e_phoff at the end of the file, e_phentsize larger than the minimum: both are legal
        byte[] bytes = ElfBuilder.elf32().entry(0x100000).phoff(0x400).phentsize(40)
                .load(0x100, 0x100000, 0x10, 0x10).length(0x400 + 40).build();
        // with phentsize 40 the single entry is still at phoff
        assertEquals(List.of(new ElfFile.Segment(0x100000, 0x100000, 0x100, 0x10, 0x10)),
                ElfFile.parse("img.elf", bytes).segments());
    }

    // ---- entry translation ----

    @Test
    void higherHalfElf32EntryIsTranslatedThroughItsSegment() throws Exception {
        byte[] bytes = ElfBuilder.elf32().entry(0xC010000CL)
                .segment(PT_LOAD, 0x1000, 0xC0000000L, 0x0, 0x10, 0x10) // does not contain the entry
                .segment(PT_LOAD, 0x1010, 0xC0100000L, 0x100000, 0x20, 0x4000)
                .length(0x1030).build();
        ElfFile elf = ElfFile.parse("img.elf", bytes);
        assertEquals(0xC010000CL, elf.entry());
        assertEquals(0x10000C, elf.physicalEntry());
    }

    @Test
    void higherHalfElf64EntryIsTranslatedThroughItsSegment() throws Exception {
        byte[] bytes = ElfBuilder.elf64().entry(0xffffffff80100020L)
                .segment(PT_LOAD, 0x1000, 0xffffffff80100000L, 0x100000, 0x40, 0x40)
                .length(0x1040).build();
        assertEquals(0x100020, ElfFile.parse("img.elf", bytes).physicalEntry());
    }

    @Test
    void entryInTheBssPartOfASegmentIsTranslated() throws Exception {
        byte[] bytes = ElfBuilder.elf32().entry(0xC0101000L)
                .segment(PT_LOAD, 0x100, 0xC0100000L, 0x200000, 0x10, 0x2000).length(0x110).build();
        assertEquals(0x201000, ElfFile.parse("img.elf", bytes).physicalEntry());
    }

    @Test
    void entryJustPastASegmentIsNotTranslatedThroughIt() throws Exception {
        byte[] bytes = ElfBuilder.elf32().entry(0xC0100010L)
                .segment(PT_LOAD, 0x100, 0xC0100000L, 0x100000, 0x10, 0x10).length(0x110).build();
        // no segment contains the entry: it is used as it is
        assertEquals(0xC0100010L, ElfFile.parse("img.elf", bytes).physicalEntry());
    }

    // ---- rejected files ----

    @Test
    void peExecutableIsNotAnElfFileAndTheMessageShowsItsFirstBytes() {
        byte[] mz = {0x4d, 0x5a, (byte) 0x90, 0x00, 0x03, 0x00};
        assertProblem("not an ELF file (it starts with 4d 5a 90 00); jvmm boots Multiboot ELF images", mz);
    }

    @Test
    void shortNonElfShowsTheBytesItHas() {
        assertProblem("not an ELF file (it starts with 7f 45); jvmm boots Multiboot ELF images",
                new byte[] {0x7f, 'E'});
    }

    @Test
    void emptyFileIsNotAnElfFile() {
        assertProblem("not an ELF file (it is empty); jvmm boots Multiboot ELF images", new byte[0]);
    }

    @Test
    void magicAloneIsATruncatedElfFile() {
        assertProblem("truncated ELF file (4 bytes, shorter than an ELF header)", new byte[] {0x7f, 'E', 'L', 'F'});
    }

    @Test
    void truncatedElf32Header() {
        byte[] bytes = ElfBuilder.elf32().load(0x100, 0x100000, 0, 0).build();
        byte[] cut = java.util.Arrays.copyOf(bytes, 51);
        assertProblem("truncated ELF file (51 bytes, shorter than an ELF header)", cut);
    }

    @Test
    void truncatedElf64Header() {
        byte[] bytes = ElfBuilder.elf64().load(0x100, 0x100000, 0, 0).build();
        byte[] cut = java.util.Arrays.copyOf(bytes, 60);
        assertProblem("truncated ELF file (60 bytes, shorter than an ELF64 header)", cut);
    }

    @Test
    void unknownElfClass() {
        byte[] bytes = ElfBuilder.elf32().elfClass(3).load(0x100, 0x100000, 0, 0).build();
        assertProblem("ELF class 3 is neither 32-bit nor 64-bit", bytes);
    }

    @Test
    void bigEndianFile() {
        byte[] bytes = ElfBuilder.elf32().bigEndian().load(0x100, 0x100000, 0, 0).build();
        assertProblem("big-endian ELF file; jvmm runs little-endian x86 guests", bytes);
    }

    @Test
    void armExecutable() {
        byte[] bytes = ElfBuilder.elf32().machine(ElfBuilder.EM_ARM).load(0x100, 0x100000, 0, 0).build();
        BootImageException e = rejects(bytes);
        assertEquals("ELF file for ARM (e_machine 40); jvmm runs x86 guests (EM_386 or EM_X86_64)", e.problem());
        assertTrue(e.getMessage().contains("ARM"));
    }

    @Test
    void aarch64Executable() {
        byte[] bytes = ElfBuilder.elf64().machine(ElfBuilder.EM_AARCH64).load(0x100, 0x100000, 0, 0).build();
        assertProblem("ELF file for AArch64 (e_machine 183); jvmm runs x86 guests (EM_386 or EM_X86_64)", bytes);
    }

    @Test
    void riscVExecutable() {
        byte[] bytes = ElfBuilder.elf64().machine(243).load(0x100, 0x100000, 0, 0).build();
        assertProblem("ELF file for RISC-V (e_machine 243); jvmm runs x86 guests (EM_386 or EM_X86_64)", bytes);
    }

    @Test
    void unknownMachine() {
        byte[] bytes = ElfBuilder.elf32().machine(0x1234).load(0x100, 0x100000, 0, 0).build();
        assertProblem("ELF file for another architecture (e_machine 4660); jvmm runs x86 guests "
                + "(EM_386 or EM_X86_64)", bytes);
    }

    @Test
    void relocatableObjectIsNotAnExecutable() {
        byte[] bytes = ElfBuilder.elf32().type(ElfBuilder.ET_REL).load(0x100, 0x100000, 0, 0).build();
        assertProblem("ELF file of type 1 is not an executable (link it into an ET_EXEC image)", bytes);
    }

    @Test
    void coreDumpIsNotAnExecutable() {
        byte[] bytes = ElfBuilder.elf64().type(4).load(0x100, 0x100000, 0, 0).build();
        assertProblem("ELF file of type 4 is not an executable (link it into an ET_EXEC image)", bytes);
    }

    @Test
    void noProgramHeadersAtAll() {
        assertProblem("ELF file has no program headers, so nothing to load", ElfBuilder.elf32().build());
        assertProblem("ELF file has no program headers, so nothing to load", ElfBuilder.elf64().build());
    }

    @Test
    void noLoadSegment() {
        byte[] bytes = ElfBuilder.elf32().segment(PT_NOTE, 0x100, 0, 0, 0x10, 0x10).length(0x110).build();
        assertProblem("ELF file has no loadable (PT_LOAD) segment", bytes);
    }

    @Test
    void programHeadersPastTheEndOfTheFile() {
        byte[] bytes = ElfBuilder.elf32().phoff(0x1000).load(0x100, 0x100000, 0, 0).length(0x800).build();
        assertProblem("ELF program headers lie outside the file (truncated?)", bytes);
    }

    @Test
    void programHeaderTableCutShort() {
        // two entries announced, the file ends in the middle of the second
        byte[] bytes = ElfBuilder.elf64().load(0, 0x100000, 0, 0).load(0, 0x200000, 0, 0).length(64 + 56 + 20)
                .build();
        assertProblem("ELF program headers lie outside the file (truncated?)", bytes);
    }

    @Test
    void programHeaderEntriesTooSmall() {
        byte[] bytes = ElfBuilder.elf32().phentsize(16).load(0x100, 0x100000, 0, 0).length(0x200).build();
        assertProblem("ELF program headers lie outside the file (truncated?)", bytes);
    }

    @Test
    void elf64ProgramHeaderOffsetThatOverflowsIsRejected() {
        // e_phoff + e_phentsize * e_phnum wraps around 2^63: must be a BootImageException, not a crash
        byte[] bytes = ElfBuilder.elf64().phoff(Long.MAX_VALUE - 8).load(0x100, 0x100000, 0, 0).length(0x200)
                .build();
        assertProblem("ELF program headers lie outside the file (truncated?)", bytes);
    }

    @Test
    void segmentPastTheEndOfTheFile() {
        byte[] bytes = ElfBuilder.elf32().load(0x1000, 0x100000, 0x1000, 0x1000).length(0x1040).build();
        assertProblem("segment 0 claims 4096 bytes at file offset 4096, past the end of the 4160-byte file "
                + "(truncated?)", bytes);
    }

    @Test
    void segmentEndingExactlyAtTheEndOfTheFileIsFine() throws Exception {
        byte[] bytes = ElfBuilder.elf32().load(0x1000, 0x100000, 0x40, 0x40).length(0x1040).build();
        assertEquals(0x40, ElfFile.parse("img.elf", bytes).segments().get(0).fileSize());
    }

    @Test
    void segmentErrorNamesTheProgramHeaderIndex() {
        byte[] bytes = ElfBuilder.elf32().segment(PT_NOTE, 0, 0, 0, 0, 0).load(0x100, 0x100000, 0x10, 0x10)
                .load(0x200, 0x200000, 0x100, 0x100).length(0x240).build();
        assertProblem("segment 2 claims 256 bytes at file offset 512, past the end of the 576-byte file "
                + "(truncated?)", bytes);
    }

    @Test
    void elf64SegmentWhoseOffsetPlusSizeOverflowsIsRejected() {
        // p_offset + p_filesz wraps around 2^63: must be a BootImageException, not a crash
        long offset = 0x100;
        long filesz = Long.MAX_VALUE - 0x80;
        byte[] bytes = ElfBuilder.elf64().load(offset, 0x100000, filesz, filesz).length(0x200).build();
        BootImageException e = rejects(bytes);
        assertTrue(e.problem().startsWith("segment 0 claims " + filesz + " bytes at file offset 256, past the end"),
                e.problem());
    }

    @Test
    void segmentSmallerInMemoryThanInTheFile() {
        byte[] bytes = ElfBuilder.elf32().load(0x100, 0x100000, 32, 16).length(0x200).build();
        assertProblem("segment 0 is smaller in memory (16) than in the file (32)", bytes);
    }

    @Test
    void bootImageExceptionKeepsSourceAndProblem() {
        BootImageException e = new BootImageException("guest.elf", "it is broken");
        assertEquals("guest.elf", e.source());
        assertEquals("it is broken", e.problem());
        assertEquals("guest.elf: it is broken", e.getMessage());
    }
}
