package io.jvmm.core.boot;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Assembles ELF32 and ELF64 images byte by byte for the loader tests (no external toolchain):
 * the ELF header, the program header table right after it, and any blobs (segment contents, a
 * Multiboot header) at chosen file offsets. Every field can be forced to a bad value.
 *
 * <p>Layout follows the System V ABI: ELF32 header 52 bytes (e_entry 24, e_phoff 28, e_phentsize
 * 42, e_phnum 44), program header 32 bytes (p_type 0, p_offset 4, p_vaddr 8, p_paddr 12,
 * p_filesz 16, p_memsz 20); ELF64 header 64 bytes (e_entry 24, e_phoff 32, e_phentsize 54,
 * e_phnum 56), program header 56 bytes (p_type 0, p_flags 4, p_offset 8, p_vaddr 16, p_paddr 24,
 * p_filesz 32, p_memsz 40). Section headers (only when a section is added) go after everything else,
 * 8-aligned, with the null section first: ELF32 40 bytes (sh_type 4, sh_offset 16, sh_size 20,
 * sh_addralign 32; e_shoff 32, e_shentsize 46, e_shnum 48), ELF64 64 bytes (sh_type 4, sh_offset
 * 24, sh_size 32, sh_addralign 48; e_shoff 40, e_shentsize 58, e_shnum 60). Notes ({@link #note})
 * are namesz, descsz, type, then name and descriptor each padded to 4 bytes.
 */
public final class ElfBuilder {
    static final int PT_NULL = 0;
    static final int PT_LOAD = 1;
    static final int PT_NOTE = 4;
    static final int ET_REL = 1;
    static final int ET_EXEC = 2;
    static final int ET_DYN = 3;
    static final int EM_386 = 3;
    static final int EM_ARM = 40;
    static final int EM_X86_64 = 62;
    static final int EM_AARCH64 = 183;
    static final int MB_MAGIC = 0x1BADB002;
    static final int SHT_NOTE = 7;
    static final int SHT_PROGBITS = 1;

    private record Phdr(int type, long offset, long vaddr, long paddr, long filesz, long memsz, long align) {
    }

    private record Shdr(int type, long offset, long size, long align) {
    }

    private final boolean is64;
    private int elfClass;
    private int dataEncoding = 1; // ELFDATA2LSB
    private int type = ET_EXEC;
    private int machine;
    private long entry;
    private Long phoff;
    private Integer phentsize;
    private Integer phnum;
    private Integer length;
    private final List<Phdr> phdrs = new ArrayList<>();
    private final List<Shdr> shdrs = new ArrayList<>();
    private final Map<Integer, byte[]> blobs = new LinkedHashMap<>();

    private ElfBuilder(boolean is64) {
        this.is64 = is64;
        this.elfClass = is64 ? 2 : 1;
        this.machine = is64 ? EM_X86_64 : EM_386;
    }

    /**
     * A Multiboot ELF32 program for machine tests: {@code code} (32-bit, flat protected mode)
     * loaded and entered at {@link #PROGRAM_ENTRY}.
     */
    public static byte[] multibootProgram(byte[] code) {
        return elf32().entry(PROGRAM_ENTRY).multiboot(0x800, 0x3).load(0x1000, PROGRAM_ENTRY, code.length, code.length)
                .put(0x1000, code).build();
    }

    /** Where {@link #multibootProgram} puts and enters the code. */
    public static final long PROGRAM_ENTRY = 0x100000;

    static ElfBuilder elf32() {
        return new ElfBuilder(false);
    }

    static ElfBuilder elf64() {
        return new ElfBuilder(true);
    }

    int headerSize() {
        return is64 ? 64 : 52;
    }

    int phdrSize() {
        return is64 ? 56 : 32;
    }

    ElfBuilder elfClass(int c) {
        this.elfClass = c;
        return this;
    }

    ElfBuilder bigEndian() {
        this.dataEncoding = 2;
        return this;
    }

    ElfBuilder type(int t) {
        this.type = t;
        return this;
    }

    ElfBuilder machine(int m) {
        this.machine = m;
        return this;
    }

    ElfBuilder entry(long e) {
        this.entry = e;
        return this;
    }

    ElfBuilder phoff(long v) {
        this.phoff = v;
        return this;
    }

    ElfBuilder phentsize(int v) {
        this.phentsize = v;
        return this;
    }

    ElfBuilder phnum(int v) {
        this.phnum = v;
        return this;
    }

    /** Forces the file length (truncating or zero-padding). */
    ElfBuilder length(int v) {
        this.length = v;
        return this;
    }

    ElfBuilder segment(int ptype, long offset, long vaddr, long paddr, long filesz, long memsz) {
        phdrs.add(new Phdr(ptype, offset, vaddr, paddr, filesz, memsz, 0x1000));
        return this;
    }

    /** A PT_NOTE segment holding {@code notes} at file offset {@code offset}, aligned to {@code align}. */
    ElfBuilder noteSegment(int offset, byte[] notes, long align) {
        phdrs.add(new Phdr(PT_NOTE, offset, 0, 0, notes.length, 0, align));
        return put(offset, notes);
    }

    /** A PT_NOTE segment holding {@code notes} at file offset {@code offset}, 4-aligned. */
    ElfBuilder noteSegment(int offset, byte[] notes) {
        return noteSegment(offset, notes, 4);
    }

    /** A section header of type {@code shtype} for {@code size} bytes at file offset {@code offset}. */
    ElfBuilder section(int shtype, long offset, long size) {
        shdrs.add(new Shdr(shtype, offset, size, 4));
        return this;
    }

    /** An SHT_NOTE section (no program header) holding {@code notes} at file offset {@code offset}. */
    ElfBuilder noteSection(int offset, byte[] notes) {
        put(offset, notes);
        return section(SHT_NOTE, offset, notes.length);
    }

    /** One ELF note: namesz, descsz, type, the NUL-terminated name and the descriptor, each padded to 4. */
    static byte[] note(String name, int type, byte[] desc) {
        return note(name, type, desc, 4);
    }

    /** One ELF note with name and descriptor padded to {@code pad} bytes (4, or 8 in some ELF64 notes). */
    static byte[] note(String name, int type, byte[] desc, int pad) {
        byte[] n = (name + "\0").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        int nameRoom = (n.length + pad - 1) / pad * pad;
        int descRoom = (desc.length + pad - 1) / pad * pad;
        ByteBuffer b = ByteBuffer.allocate(12 + nameRoom + descRoom).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(n.length).putInt(desc.length).putInt(type).put(n).position(12 + nameRoom);
        b.put(desc);
        return b.array();
    }

    /** Concatenated byte arrays (several notes in one area). */
    static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** A little-endian u32, as a note descriptor. */
    static byte[] u32(long v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) v).array();
    }

    /** A PT_LOAD segment whose virtual and physical addresses are the same. */
    ElfBuilder load(long offset, long addr, long filesz, long memsz) {
        return segment(PT_LOAD, offset, addr, addr, filesz, memsz);
    }

    ElfBuilder put(int offset, byte[] bytes) {
        blobs.put(offset, bytes.clone());
        return this;
    }

    /** A Multiboot header (magic, flags, checksum) at {@code offset}, with a correct checksum. */
    ElfBuilder multiboot(int offset, int flags) {
        return multibootRaw(offset, MB_MAGIC, flags, -(MB_MAGIC + flags));
    }

    ElfBuilder multibootRaw(int offset, int magic, int flags, int checksum) {
        return put(offset, ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putInt(magic).putInt(flags)
                .putInt(checksum).array());
    }

    /** {@code n} bytes of a recognisable pattern starting at {@code seed}. */
    static byte[] pattern(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (seed + i * 7);
        }
        return b;
    }

    byte[] build() {
        long tableOffset = phoff != null ? phoff : headerSize();
        int natural = headerSize();
        if (phoff == null) {
            natural = Math.max(natural, headerSize() + phdrSize() * phdrs.size());
        }
        for (Map.Entry<Integer, byte[]> e : blobs.entrySet()) {
            natural = Math.max(natural, e.getKey() + e.getValue().length);
        }
        int shdrSize = is64 ? 64 : 40;
        int shoff = (natural + 7) & -8;
        if (!shdrs.isEmpty()) {
            natural = shoff + shdrSize * (shdrs.size() + 1);
        }
        int size = length != null ? length : natural;
        // Assemble into a buffer big enough for everything, then cut to the requested size.
        int room = Math.max(size, natural);
        ByteBuffer b = ByteBuffer.allocate(room).order(ByteOrder.LITTLE_ENDIAN);
        b.put(0, (byte) 0x7f).put(1, (byte) 'E').put(2, (byte) 'L').put(3, (byte) 'F');
        b.put(4, (byte) elfClass).put(5, (byte) dataEncoding).put(6, (byte) 1); // EV_CURRENT
        b.putShort(16, (short) type).putShort(18, (short) machine).putInt(20, 1);
        int pe = phentsize != null ? phentsize : phdrSize();
        int pn = phnum != null ? phnum : phdrs.size();
        if (is64) {
            b.putLong(24, entry).putLong(32, tableOffset).putLong(40, 0);
            b.putInt(48, 0).putShort(52, (short) 64).putShort(54, (short) pe).putShort(56, (short) pn);
        } else {
            b.putInt(24, (int) entry).putInt(28, (int) tableOffset).putInt(32, 0);
            b.putInt(36, 0).putShort(40, (short) 52).putShort(42, (short) pe).putShort(44, (short) pn);
        }
        for (Map.Entry<Integer, byte[]> e : blobs.entrySet()) {
            b.put(e.getKey(), e.getValue());
        }
        if (!shdrs.isEmpty()) {
            int n = shdrs.size() + 1; // the null section first
            if (is64) {
                b.putLong(40, shoff).putShort(58, (short) shdrSize).putShort(60, (short) n);
            } else {
                b.putInt(32, shoff).putShort(46, (short) shdrSize).putShort(48, (short) n);
            }
            for (int i = 0; i < shdrs.size(); i++) {
                int sh = shoff + shdrSize * (i + 1);
                Shdr h = shdrs.get(i);
                if (is64) {
                    b.putInt(sh + 4, h.type()).putLong(sh + 24, h.offset()).putLong(sh + 32, h.size())
                            .putLong(sh + 48, h.align());
                } else {
                    b.putInt(sh + 4, h.type()).putInt(sh + 16, (int) h.offset()).putInt(sh + 20, (int) h.size())
                            .putInt(sh + 32, (int) h.align());
                }
            }
        }
        for (int i = 0; i < phdrs.size(); i++) {
            long at = tableOffset + (long) i * phdrSize();
            if (at < 0 || at > room - phdrSize()) {
                continue; // deliberately outside the file: leave it out
            }
            int p = (int) at;
            Phdr h = phdrs.get(i);
            if (is64) {
                b.putInt(p, h.type()).putInt(p + 4, 5).putLong(p + 8, h.offset()).putLong(p + 16, h.vaddr())
                        .putLong(p + 24, h.paddr()).putLong(p + 32, h.filesz()).putLong(p + 40, h.memsz())
                        .putLong(p + 48, h.align());
            } else {
                b.putInt(p, h.type()).putInt(p + 4, (int) h.offset()).putInt(p + 8, (int) h.vaddr())
                        .putInt(p + 12, (int) h.paddr()).putInt(p + 16, (int) h.filesz())
                        .putInt(p + 20, (int) h.memsz()).putInt(p + 24, 5).putInt(p + 28, (int) h.align());
            }
        }
        byte[] out = new byte[size];
        System.arraycopy(b.array(), 0, out, 0, Math.min(size, room));
        return out;
    }
}
