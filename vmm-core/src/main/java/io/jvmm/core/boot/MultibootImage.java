package io.jvmm.core.boot;

import io.jvmm.core.firmware.BootFirmware;
import io.jvmm.core.memory.GuestMemory;
import io.jvmm.core.memory.MemoryLayout;
import io.jvmm.core.vcpu.CpuImage;
import io.jvmm.kvm.Sregs;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * A Multiboot (version 1) ELF image, parsed once and loadable any number of times (at creation
 * and at every reset).
 *
 * <p>Loading follows the ELF program headers, wherever they place the segments, and zero-fills
 * what the file does not hold (.bss). The a.out kludge fields (header flag 16) are not used: this
 * loader takes ELF images only. The Multiboot information structure, the memory map, the command
 * line, the boot loader name and the modules go after the image's last byte, page-aligned, as
 * QEMU places them; nothing goes below 1 MiB, so low memory stays free for the guest. The memory
 * map is {@link E820Map}'s, the one every boot protocol reports.
 */
public final class MultibootImage {
    /** The header magic. */
    public static final int HEADER_MAGIC = 0x1BADB002;
    /** What the loader hands the OS in EAX. */
    public static final int BOOTLOADER_MAGIC = 0x2BADB002;
    private static final int SEARCH_LIMIT = 8192;
    private static final int FLAG_PAGE_ALIGN = 1;
    private static final int FLAG_MEMORY_INFO = 1 << 1;
    private static final int FLAG_VIDEO_MODE = 1 << 2;
    private static final int SUPPORTED_REQUIRED = FLAG_PAGE_ALIGN | FLAG_MEMORY_INFO | FLAG_VIDEO_MODE;
    private static final long PAGE = BootData.PAGE;

    // Multiboot info flags
    private static final int MBI_MEM = 1;
    private static final int MBI_CMDLINE = 1 << 2;
    private static final int MBI_MODS = 1 << 3;
    private static final int MBI_MMAP = 1 << 6;
    private static final int MBI_LOADER_NAME = 1 << 9;
    private static final int MBI_SIZE = 120;
    private static final int MMAP_ENTRY_SIZE = 24;
    private static final String LOADER_NAME = "jvmm";

    private final String source;
    private final byte[] bytes;
    private final ElfFile elf;
    private final int headerFlags;

    private MultibootImage(String source, byte[] bytes, ElfFile elf, int headerFlags) {
        this.source = source;
        this.bytes = bytes;
        this.elf = elf;
        this.headerFlags = headerFlags;
    }

    /**
     * Checks that {@code bytes} is an x86 ELF executable with a valid Multiboot header this
     * loader can honour.
     *
     * @throws BootImageException naming {@code source} and the problem
     */
    public static MultibootImage parse(String source, byte[] bytes) throws BootImageException {
        ElfFile elf = ElfFile.parse(source, bytes);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int limit = Math.min(bytes.length, SEARCH_LIMIT) - 12;
        String badChecksum = null;
        for (int off = 0; off <= limit; off += 4) {
            if (b.getInt(off) == HEADER_MAGIC) {
                int flags = b.getInt(off + 4);
                int checksum = b.getInt(off + 8);
                if (HEADER_MAGIC + flags + checksum != 0) {
                    // Not a header, or a broken one: keep looking, as GRUB and QEMU do.
                    if (badChecksum == null) {
                        badChecksum = String.format("the Multiboot magic at offset %d has a bad checksum (magic + "
                                + "flags + checksum = 0x%x, must be 0)", off, HEADER_MAGIC + flags + checksum);
                    }
                    continue;
                }
                int unsupported = flags & 0xffff & ~SUPPORTED_REQUIRED;
                if (unsupported != 0) {
                    throw new BootImageException(source, String.format("Multiboot header requires features 0x%x "
                            + "(flag bits 3-15) that jvmm does not provide", unsupported));
                }
                if (elf.physicalEntry() > 0xffffffffL) {
                    throw new BootImageException(source, String.format("entry point 0x%x is above 4 GiB; "
                            + "Multiboot enters the image in 32-bit mode", elf.physicalEntry()));
                }
                return new MultibootImage(source, bytes, elf, flags);
            }
        }
        if (badChecksum != null) {
            throw new BootImageException(source, badChecksum + " and no valid header follows it");
        }
        throw new BootImageException(source, "ELF file without a Multiboot header (magic 0x1BADB002 "
                + "in the first 8192 bytes); jvmm boots Multiboot images");
    }

    /** Whether a longword-aligned header magic lies in the first 8192 bytes (valid header or not). */
    static boolean hasHeaderMagic(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int off = 0; off <= Math.min(bytes.length, SEARCH_LIMIT) - 4; off += 4) {
            if (b.getInt(off) == HEADER_MAGIC) {
                return true;
            }
        }
        return false;
    }

    /** The file name or guest name this image came from. */
    public String source() {
        return source;
    }

    /** The parsed ELF file. */
    public ElfFile elf() {
        return elf;
    }

    /** The Multiboot header's flags. */
    public int headerFlags() {
        return headerFlags;
    }

    /** Physical address of the entry point. */
    public long entry() {
        return elf.physicalEntry();
    }

    /** The first byte past the highest segment. */
    public long end() {
        return elf.physicalEnd();
    }

    /**
     * Checks that every segment fits in {@code ramSize} bytes of RAM outside the firmware area,
     * without touching memory; used to reject a bad image before a VM exists.
     */
    public void checkFits(long ramSize) throws BootImageException {
        int i = 0;
        for (ElfFile.Segment s : elf.segments()) {
            long start = s.physicalAddress();
            long end = start + s.memorySize();
            if (s.memorySize() > 0 && (start < 0 || end > ramSize || end < start)) { // start < 0: above 2^63
                throw new BootImageException(source, String.format("segment %d at 0x%x-0x%x does not fit in %d MiB "
                        + "of guest RAM; give the VM more memory with -m", i, start, end, ramSize >> 20));
            }
            if (s.memorySize() > 0 && start < MemoryLayout.FIRMWARE_END && end > MemoryLayout.FIRMWARE_START) {
                throw new BootImageException(source, String.format("segment %d at 0x%x-0x%x overlaps the firmware "
                        + "area 0x%x-0x%x; link the image elsewhere (1 MiB is usual)", i, start, end,
                        MemoryLayout.FIRMWARE_START, MemoryLayout.FIRMWARE_END));
            }
            i++;
        }
    }

    /** The entry point, the Multiboot information's address, and the first byte past everything loaded. */
    public record Loaded(long entry, long infoAddress, long end) implements KernelImages.Booted {
        /** 32-bit flat protected mode on the firmware's GDT, EAX = the bootloader magic, EBX = the information. */
        @Override
        public CpuImage bootCpu(Sregs resetState) {
            return CpuImage.empty().withSregs(BootFirmware.protectedModeEntry(resetState))
                    .withRegs(BootFirmware.multibootEntry(entry, infoAddress));
        }
    }

    /**
     * Copies the segments into {@code memory}, zero-filling the rest of each, then writes the
     * Multiboot information after the image. All vCPUs must be stopped.
     *
     * @param commandLine the whole command line; by convention its first word is the image path
     * @throws BootImageException if anything does not fit in RAM
     */
    public Loaded load(GuestMemory memory, String commandLine, List<BootModule> modules) throws BootImageException {
        checkFits(memory.size());
        elf.copySegments(memory, bytes);
        return writeInfo(memory, commandLine, modules);
    }

    private Loaded writeInfo(GuestMemory memory, String commandLine, List<BootModule> modules)
            throws BootImageException {
        long ram = memory.size();
        long info = BootData.alignUp(Math.max(end(), MemoryLayout.HIGH_RAM_START), PAGE);
        // Layout after the info structure: memory map, strings, module table, then module contents.
        List<E820Map.Entry> mmap = E820Map.forRam(ram).entries();
        long mmapAddr = info + MBI_SIZE;
        long mmapLength = (long) MMAP_ENTRY_SIZE * mmap.size();
        long cursor = mmapAddr + mmapLength;
        byte[] cmd = BootData.cString(commandLine);
        long cmdAddr = cursor;
        cursor += cmd.length;
        byte[] loader = BootData.cString(LOADER_NAME);
        long loaderAddr = cursor;
        cursor += loader.length;
        long modsAddr = BootData.alignUp(cursor, 16);
        cursor = modsAddr + 16L * modules.size();
        List<Long> modStrings = new ArrayList<>();
        for (BootModule m : modules) {
            modStrings.add(cursor);
            cursor += BootData.cString(m.string()).length;
        }
        List<Long> modStarts = new ArrayList<>();
        for (BootModule m : modules) {
            cursor = BootData.alignUp(cursor, PAGE);
            modStarts.add(cursor);
            cursor += m.length();
        }
        if (cursor > ram) {
            throw new BootImageException(source, String.format("the Multiboot information and %d module(s) need "
                    + "memory up to 0x%x, past the end of %d MiB of RAM; give the VM more memory with -m",
                    modules.size(), cursor, ram >> 20));
        }
        memory.fill(info, cursor - info, (byte) 0);
        int flags = MBI_MEM | MBI_CMDLINE | MBI_MMAP | MBI_LOADER_NAME | (modules.isEmpty() ? 0 : MBI_MODS);
        memory.writeU32(info, flags);
        memory.writeU32(info + 4, MemoryLayout.LOW_RAM_END / 1024);
        memory.writeU32(info + 8, (ram - MemoryLayout.HIGH_RAM_START) / 1024);
        memory.writeU32(info + 16, cmdAddr);
        memory.writeU32(info + 20, modules.size());
        memory.writeU32(info + 24, modules.isEmpty() ? 0 : modsAddr);
        memory.writeU32(info + 44, mmapLength);
        memory.writeU32(info + 48, mmapAddr);
        memory.writeU32(info + 64, loaderAddr);
        for (int i = 0; i < mmap.size(); i++) {
            long e = mmapAddr + (long) MMAP_ENTRY_SIZE * i;
            memory.writeU32(e, MMAP_ENTRY_SIZE - 4); // size of the entry, not counting this field
            memory.writeU64(e + 4, mmap.get(i).addr());
            memory.writeU64(e + 12, mmap.get(i).size());
            memory.writeU32(e + 20, mmap.get(i).type().code());
        }
        memory.write(cmdAddr, cmd);
        memory.write(loaderAddr, loader);
        for (int i = 0; i < modules.size(); i++) {
            BootModule m = modules.get(i);
            long e = modsAddr + 16L * i;
            memory.writeU32(e, modStarts.get(i));
            memory.writeU32(e + 4, modStarts.get(i) + m.length());
            memory.writeU32(e + 8, modStrings.get(i));
            memory.write(modStrings.get(i), BootData.cString(m.string()));
            memory.write(modStarts.get(i), m.data());
        }
        return new Loaded(entry(), info, cursor);
    }
}
