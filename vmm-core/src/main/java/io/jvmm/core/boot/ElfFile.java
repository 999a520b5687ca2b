package io.jvmm.core.boot;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The parts of an ELF executable a loader needs: class, machine, entry point and the loadable
 * segments. Accepts 32-bit (EM_386) and 64-bit (EM_X86_64) little-endian executables; anything
 * else is rejected with a message that says what the file is instead.
 */
public final class ElfFile {
    static final int EM_386 = 3;
    static final int EM_X86_64 = 62;
    private static final int PT_LOAD = 1;
    private static final int ET_EXEC = 2;
    private static final int ET_DYN = 3;

    private static final Map<Integer, String> MACHINES = Map.ofEntries(Map.entry(2, "SPARC"),
            Map.entry(8, "MIPS"), Map.entry(20, "PowerPC"), Map.entry(21, "PowerPC 64"), Map.entry(22, "S/390"),
            Map.entry(40, "ARM"), Map.entry(43, "SPARC V9"), Map.entry(50, "IA-64"), Map.entry(183, "AArch64"),
            Map.entry(243, "RISC-V"), Map.entry(258, "LoongArch"));

    /** One PT_LOAD segment: where it goes, what the file holds for it, and its size in memory. */
    public record Segment(long physicalAddress, long virtualAddress, long fileOffset, long fileSize, long memorySize) {
    }

    private final boolean is64;
    private final int machine;
    private final long entry;
    private final List<Segment> segments;

    private ElfFile(boolean is64, int machine, long entry, List<Segment> segments) {
        this.is64 = is64;
        this.machine = machine;
        this.entry = entry;
        this.segments = segments;
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
        for (int i = 0; i < phnum; i++) {
            int p = (int) (phoff + (long) i * phentsize);
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
        return new ElfFile(is64, machine, entry, List.copyOf(segments));
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

    /** The entry point as a physical address: translated through the segment that contains it. */
    public long physicalEntry() {
        for (Segment s : segments) {
            if (entry >= s.virtualAddress() && entry < s.virtualAddress() + s.memorySize()) {
                return entry - s.virtualAddress() + s.physicalAddress();
            }
        }
        return entry;
    }
}
