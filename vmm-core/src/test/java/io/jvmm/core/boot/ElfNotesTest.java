package io.jvmm.core.boot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ElfFile's notes: from PT_NOTE segments, from SHT_NOTE sections, and how it copes with broken note areas. */
class ElfNotesTest {
    private static ElfBuilder small64() {
        return ElfBuilder.elf64().entry(0x200000).load(0x1000, 0x200000, 0x10, 0x10).put(0x1000, new byte[0x10]);
    }

    private static List<ElfFile.Note> notes(byte[] bytes) throws BootImageException {
        return ElfFile.parse("img.elf", bytes).notes();
    }

    @Test
    void notesOfAPtNoteSegmentInFileOrder() throws Exception {
        byte[] area = ElfBuilder.concat(ElfBuilder.note("GNU", 3, new byte[] {1, 2, 3, 4, 5}),
                ElfBuilder.note("Xen", 18, ElfBuilder.u32(0x1000000)), ElfBuilder.note("Linux", 6, new byte[0]));
        List<ElfFile.Note> n = notes(small64().noteSegment(0x200, area).build());
        assertEquals(List.of(new ElfFile.Note("GNU", 3, new byte[] {1, 2, 3, 4, 5}),
                new ElfFile.Note("Xen", 18, ElfBuilder.u32(0x1000000)), new ElfFile.Note("Linux", 6, new byte[0])), n);
    }

    @Test
    void notesOfSeveralSegmentsAndOfElf32() throws Exception {
        byte[] bytes = ElfBuilder.elf32().entry(0x200000).load(0x1000, 0x200000, 0x10, 0x10)
                .noteSegment(0x200, ElfBuilder.note("A", 1, new byte[] {9}))
                .noteSegment(0x300, ElfBuilder.note("B", 2, new byte[] {8})).put(0x1000, new byte[0x10]).build();
        assertEquals(List.of(new ElfFile.Note("A", 1, new byte[] {9}), new ElfFile.Note("B", 2, new byte[] {8})),
                notes(bytes));
    }

    @Test
    void eightByteAlignedNoteArea() throws Exception {
        byte[] area = ElfBuilder.concat(ElfBuilder.note("GNU", 5, new byte[] {1, 2, 3, 4, 5}, 8),
                ElfBuilder.note("Xen", 18, ElfBuilder.u32(0x1000000), 8));
        List<ElfFile.Note> n = notes(small64().noteSegment(0x200, area, 8).build());
        assertEquals(2, n.size());
        assertArrayEquals(ElfBuilder.u32(0x1000000), n.get(1).descriptor());
    }

    @Test
    void sectionNotesAreReadWhenThereIsNoNoteSegment() throws Exception {
        byte[] bytes = small64().noteSection(0x200, ElfBuilder.note("Xen", 18, ElfBuilder.u32(7)))
                .section(ElfBuilder.SHT_PROGBITS, 0x1000, 0x10).build();
        assertEquals(List.of(new ElfFile.Note("Xen", 18, ElfBuilder.u32(7))), notes(bytes));
        byte[] elf32 = ElfBuilder.elf32().entry(0x200000).load(0x1000, 0x200000, 0x10, 0x10)
                .put(0x1000, new byte[0x10]).noteSection(0x200, ElfBuilder.note("Xen", 18, ElfBuilder.u32(7))).build();
        assertEquals(List.of(new ElfFile.Note("Xen", 18, ElfBuilder.u32(7))), notes(elf32));
    }

    @Test
    void sectionNotesAreNotReadTwiceWhenASegmentHoldsThem() throws Exception {
        byte[] note = ElfBuilder.note("Xen", 18, ElfBuilder.u32(7));
        byte[] bytes = small64().noteSegment(0x200, note).section(ElfBuilder.SHT_NOTE, 0x200, note.length).build();
        assertEquals(1, notes(bytes).size());
    }

    @Test
    void noNotes() throws Exception {
        assertEquals(List.of(), notes(small64().build()));
    }

    @Test
    void noteAreaOutsideTheFileIsIgnored() throws Exception {
        byte[] bytes = small64().segment(ElfBuilder.PT_NOTE, 0x5000, 0, 0, 0x20, 0).build();
        assertEquals(List.of(), notes(bytes));
    }

    @Test
    void noteRunningPastItsAreaEndsTheArea() throws Exception {
        byte[] good = ElfBuilder.note("Xen", 18, ElfBuilder.u32(7));
        byte[] bad = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putInt(4).putInt(0x7fffffff).putInt(1)
                .put("Xen\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).array();
        byte[] bytes = small64().noteSegment(0x200, ElfBuilder.concat(good, bad)).build();
        assertEquals(List.of(new ElfFile.Note("Xen", 18, ElfBuilder.u32(7))), notes(bytes));
    }

    @Test
    void sectionTableOutsideTheFileIsIgnored() throws Exception {
        byte[] bytes = small64().build();
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(40, 0x100000).putShort(58, (short) 64)
                .putShort(60, (short) 3);
        assertTrue(notes(bytes).isEmpty());
    }

    @Test
    void descriptorIsCopiedNotShared() {
        byte[] d = {1, 2};
        ElfFile.Note n = new ElfFile.Note("X", 1, d);
        d[0] = 9;
        n.descriptor()[1] = 9;
        assertArrayEquals(new byte[] {1, 2}, n.descriptor());
    }
}
