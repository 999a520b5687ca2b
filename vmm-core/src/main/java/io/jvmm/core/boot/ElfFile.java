package io.jvmm.core.boot;

import io.jvmm.core.memory.GuestMemory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The parts of an ELF executable a loader needs: class, machine, entry point, the loadable
 * segments and the notes. Accepts 32-bit (EM_386) and 64-bit (EM_X86_64) little-endian
 * executables; anything else is rejected with a message that says what the file is instead.
 *
 * <p>Notes come from the PT_NOTE program headers or, when there are none, from the SHT_NOTE
 * section headers. They are optional metadata, so a note area outside the file or a note whose
 * sizes run past its area ends the reading of that area instead of rejecting the file; a loader
 * that needs a note says so when it is missing.
 */
public final class ElfFile {
    static final int EM_386 = 3;
    static final int EM_X86_64 = 62;
    private static final int PT_LOAD = 1;
    private static final int PT_NOTE = 4;
    private static final int SHT_NOTE = 7;
    private static final int ET_EXEC = 2;
    private static final int ET_DYN = 3;

    private static final Map<Integer, String> MACHINES = Map.ofEntries(Map.entry(2, "SPARC"),
            Map.entry(8, "MIPS"), Map.entry(20, "PowerPC"), Map.entry(21, "PowerPC 64"), Map.entry(22, "S/390"),
            Map.entry(40, "ARM"), Map.entry(43, "SPARC V9"), Map.entry(50, "IA-64"), Map.entry(183, "AArch64"),
            Map.entry(243, "RISC-V"), Map.entry(258, "LoongArch"));

    /** One PT_LOAD segment: where it goes, what the file holds for it, and its size in memory. */
    public record Segment(long physicalAddress, long virtualAddress, long fileOffset, long fileSize, long memorySize) {
    }

    /** One note: its owner's name (without the NUL), its type and its descriptor. */
    public record Note(String name, int type, byte[] descriptor) {
        public Note {
            descriptor = descriptor.clone();
        }

        @Override
        public byte[] descriptor() {
            return descriptor.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Note n && n.name.equals(name) && n.type == type
                    && java.util.Arrays.equals(n.descriptor, descriptor);
        }

        @Override
        public int hashCode() {
            return (name.hashCode() * 31 + type) * 31 + java.util.Arrays.hashCode(descriptor);
        }

        @Override
        public String toString() {
            return "Note[" + name + ", type " + type + ", " + HexFormat.of().formatHex(descriptor) + "]";
        }
    }

    private final boolean is64;
    private final int machine;
    private final long entry;
    private final List<Segment> segments;
    private final List<Note> notes;

    private ElfFile(boolean is64, int machine, long entry, List<Segment> segments, List<Note> notes) {
        this.is64 = is64;
        this.machine = machine;
        this.entry = entry;
        this.segments = segments;
        this.notes = notes;
    }

    /**
     * Parses {@code bytes}, naming {@code source} in any error.
     *
     * @throws BootImageException if the bytes are not a loadable x86 ELF executable
     */
    public static ElfFile parse(String source, byte[] bytes) throws BootImageException {
        if (bytes.length < 4 || bytes[0] != 0x7f || bytes[1] != 'E' || bytes[2] != 'L' || bytes[3] != 'F') {
            int n = Math.min(4, bytes.length);
            String start = n == 0 ? "it is empty" : "it starts with " + HexFormat.ofDelimiter(" ").formatHex(bytes, 0, n);
            throw new BootImageException(source, "not an ELF file (" + start
                    + "); jvmm boots Multiboot ELF images");
        }
        if (bytes.length < 52) {
            throw new BootImageException(source, "truncated ELF file (" + bytes.length + " bytes, shorter than an ELF header)");
        }
        int cls = bytes[4];
        if (cls != 1 && cls != 2) {
            throw new BootImageException(source, "ELF class " + cls + " is neither 32-bit nor 64-bit");
        }
        if (bytes[5] != 1) {
            throw new BootImageException(source, "big-endian ELF file; jvmm runs little-endian x86 guests");
        }
        boolean is64 = cls == 2;
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int type = b.getShort(16) & 0xffff;
        int machine = b.getShort(18) & 0xffff;
        if (machine != EM_386 && machine != EM_X86_64) {
            String what = MACHINES.getOrDefault(machine, "another architecture");
            throw new BootImageException(source, "ELF file for " + what + " (e_machine " + machine
                    + "); jvmm runs x86 guests (EM_386 or EM_X86_64)");
        }
        if (type != ET_EXEC && type != ET_DYN) {
            throw new BootImageException(source, "ELF file of type " + type
                    + " is not an executable (link it into an ET_EXEC image)");
        }
        if (is64 && bytes.length < 64) {
            throw new BootImageException(source, "truncated ELF file (" + bytes.length + " bytes, shorter than an ELF64 header)");
        }
        long entry = is64 ? b.getLong(24) : b.getInt(24) & 0xffffffffL;
        long phoff = is64 ? b.getLong(32) : b.getInt(28) & 0xffffffffL;
        int phentsize = b.getShort(is64 ? 54 : 42) & 0xffff;
        int phnum = b.getShort(is64 ? 56 : 44) & 0xffff;
        int minEntry = is64 ? 56 : 32;
        if (phnum == 0) {
            throw new BootImageException(source, "ELF file has no program headers, so nothing to load");
        }
        if (phentsize < minEntry || phoff < 0 || phoff > bytes.length
                || (long) phentsize * phnum > bytes.length - phoff) { // no overflow for a huge 64-bit e_phoff
            throw new BootImageException(source, "ELF program headers lie outside the file (truncated?)");
        }
        List<Segment> segments = new ArrayList<>();
        List<Note> notes = new ArrayList<>();
        for (int i = 0; i < phnum; i++) {
            int p = (int) (phoff + (long) i * phentsize);
            if (b.getInt(p) == PT_NOTE) {
                long offset = is64 ? b.getLong(p + 8) : b.getInt(p + 4) & 0xffffffffL;
                long filesz = is64 ? b.getLong(p + 32) : b.getInt(p + 16) & 0xffffffffL;
                long align = is64 ? b.getLong(p + 48) : b.getInt(p + 28) & 0xffffffffL;
                readNotes(b, offset, filesz, align, notes);
            }
            if (b.getInt(p) != PT_LOAD) {
                continue;
            }
            long offset;
            long vaddr;
            long paddr;
            long filesz;
            long memsz;
            if (is64) {
                offset = b.getLong(p + 8);
                vaddr = b.getLong(p + 16);
                paddr = b.getLong(p + 24);
                filesz = b.getLong(p + 32);
                memsz = b.getLong(p + 40);
            } else {
                offset = b.getInt(p + 4) & 0xffffffffL;
                vaddr = b.getInt(p + 8) & 0xffffffffL;
                paddr = b.getInt(p + 12) & 0xffffffffL;
                filesz = b.getInt(p + 16) & 0xffffffffL;
                memsz = b.getInt(p + 20) & 0xffffffffL;
            }
            if (offset < 0 || filesz < 0 || offset > bytes.length || filesz > bytes.length - offset) {
                throw new BootImageException(source, "segment " + i + " claims " + filesz + " bytes at file offset "
                        + offset + ", past the end of the " + bytes.length + "-byte file (truncated?)");
            }
            if (memsz < filesz) {
                throw new BootImageException(source, "segment " + i + " is smaller in memory (" + memsz
                        + ") than in the file (" + filesz + ")");
            }
            segments.add(new Segment(paddr, vaddr, offset, filesz, memsz));
        }
        if (segments.isEmpty()) {
            throw new BootImageException(source, "ELF file has no loadable (PT_LOAD) segment");
        }
        if (notes.isEmpty()) {
            readSectionNotes(b, is64, notes);
        }
        return new ElfFile(is64, machine, entry, List.copyOf(segments), List.copyOf(notes));
    }

    /** Adds the notes of every SHT_NOTE section; a section table outside the file is ignored. */
    private static void readSectionNotes(ByteBuffer b, boolean is64, List<Note> notes) {
        long shoff = is64 ? b.getLong(40) : b.getInt(32) & 0xffffffffL;
        int shentsize = b.getShort(is64 ? 58 : 46) & 0xffff;
        int shnum = b.getShort(is64 ? 60 : 48) & 0xffff;
        int minEntry = is64 ? 64 : 40;
        if (shoff <= 0 || shnum == 0 || shentsize < minEntry || shoff > b.capacity()
                || (long) shentsize * shnum > b.capacity() - shoff) {
            return;
        }
        for (int i = 0; i < shnum; i++) {
            int s = (int) (shoff + (long) i * shentsize);
            if (b.getInt(s + 4) != SHT_NOTE) {
                continue;
            }
            long offset = is64 ? b.getLong(s + 24) : b.getInt(s + 16) & 0xffffffffL;
            long size = is64 ? b.getLong(s + 32) : b.getInt(s + 20) & 0xffffffffL;
            long align = is64 ? b.getLong(s + 48) : b.getInt(s + 32) & 0xffffffffL;
            readNotes(b, offset, size, align, notes);
        }
    }

    /**
     * Adds the notes in {@code size} bytes at file offset {@code offset}: each is namesz, descsz,
     * type (u32 each), the name and the descriptor, both padded to the area's alignment (4, or 8
     * for an area aligned to 8).
     */
    private static void readNotes(ByteBuffer b, long offset, long size, long align, List<Note> notes) {
        if (offset < 0 || size < 0 || offset > b.capacity() || size > b.capacity() - offset) {
            return;
        }
        int pad = align == 8 ? 8 : 4;
        long at = offset;
        long end = offset + size;
        while (end - at >= 12) {
            long namesz = b.getInt((int) at) & 0xffffffffL;
            long descsz = b.getInt((int) at + 4) & 0xffffffffL;
            int type = b.getInt((int) at + 8);
            long name = at + 12;
            long desc = name + BootData.alignUp(namesz, pad);
            long next = desc + BootData.alignUp(descsz, pad);
            if (desc + descsz > end) {
                return;
            }
            byte[] nameBytes = new byte[(int) namesz];
            b.get((int) name, nameBytes);
            int len = 0;
            while (len < nameBytes.length && nameBytes[len] != 0) {
                len++;
            }
            byte[] descriptor = new byte[(int) descsz];
            b.get((int) desc, descriptor);
            notes.add(new Note(new String(nameBytes, 0, len, StandardCharsets.US_ASCII), type, descriptor));
            at = next;
        }
    }

    /** Whether this is an ELF64 file. */
    public boolean is64() {
        return is64;
    }

    /** e_machine. */
    public int machine() {
        return machine;
    }

    /** e_entry, a virtual address. */
    public long entry() {
        return entry;
    }

    /** The PT_LOAD segments in file order. */
    public List<Segment> segments() {
        return segments;
    }

    /** The notes, in file order. */
    public List<Note> notes() {
        return notes;
    }

    /** The entry point as a physical address: translated through the segment that contains it. */
    public long physicalEntry() {
        for (Segment s : segments) {
            if (entry >= s.virtualAddress() && entry < s.virtualAddress() + s.memorySize()) {
                return entry - s.virtualAddress() + s.physicalAddress();
            }
        }
        return entry;
    }

    /** The first byte past the highest segment, by physical address. */
    public long physicalEnd() {
        long end = 0;
        for (Segment s : segments) {
            end = Math.max(end, s.physicalAddress() + s.memorySize());
        }
        return end;
    }

    /**
     * Copies every PT_LOAD segment of {@code file} (the bytes this was parsed from) to its
     * physical address in {@code memory}, zero-filling the rest of each (.bss). The caller has
     * checked that the segments fit.
     */
    public void copySegments(GuestMemory memory, byte[] file) {
        for (Segment s : segments) {
            if (s.memorySize() == 0) {
                continue;
            }
            memory.write(s.physicalAddress(), file, (int) s.fileOffset(), (int) s.fileSize());
            if (s.memorySize() > s.fileSize()) {
                memory.fill(s.physicalAddress() + s.fileSize(), s.memorySize() - s.fileSize(), (byte) 0);
            }
        }
    }
}
