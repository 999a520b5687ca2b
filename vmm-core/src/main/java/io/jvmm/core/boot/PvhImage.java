package io.jvmm.core.boot;

import io.jvmm.core.memory.GuestMemory;
import io.jvmm.core.memory.MemoryLayout;
import io.jvmm.core.vcpu.CpuImage;
import io.jvmm.kvm.Regs;
import io.jvmm.kvm.Sregs;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * An ELF kernel with a PVH entry point (Xen's x86 HVM direct boot ABI, docs/misc/pvh.pandoc),
 * such as an uncompressed Linux vmlinux built with CONFIG_PVH: the note "Xen" of type
 * XEN_ELFNOTE_PHYS32_ENTRY gives the 32-bit physical address to enter at. Parsed once, loadable
 * any number of times.
 *
 * <p>Loading copies the PT_LOAD segments to their physical addresses (p_paddr), zero-filling
 * .bss, and writes the start info, the initrd's module entry, the memory map and the command line
 * at {@link KernelBootLayout}'s low addresses; the initrd goes page-aligned at the top of RAM.
 * The kernel is entered in 32-bit protected mode, paging off, with EBX = the start info.
 */
public final class PvhImage implements KernelImages.LinuxImage {
    /** XEN_ELFNOTE_PHYS32_ENTRY (xen/include/public/elfnote.h). */
    public static final int XEN_ELFNOTE_PHYS32_ENTRY = 18;
    /** The owner name of Xen's ELF notes. */
    public static final String XEN_NOTE_NAME = "Xen";

    private final String source;
    private final byte[] bytes;
    private final ElfFile elf;
    private final long entry;

    private PvhImage(String source, byte[] bytes, ElfFile elf, long entry) {
        this.source = source;
        this.bytes = bytes;
        this.elf = elf;
        this.entry = entry;
    }

    /**
     * Checks that {@code bytes} is an x86 ELF executable with a PVH entry note.
     *
     * @throws BootImageException naming {@code source} and the problem
     */
    public static PvhImage parse(String source, byte[] bytes) throws BootImageException {
        ElfFile elf = ElfFile.parse(source, bytes);
        ElfFile.Note note = entryNote(elf);
        if (note == null) {
            throw new BootImageException(source, "ELF file without a PVH entry note (\"Xen\", type 18, "
                    + "XEN_ELFNOTE_PHYS32_ENTRY); build the kernel with CONFIG_PVH=y, or boot its bzImage instead");
        }
        byte[] d = note.descriptor();
        if (d.length != 4 && d.length != 8) {
            throw new BootImageException(source, "the PVH entry note holds " + d.length
                    + " bytes; XEN_ELFNOTE_PHYS32_ENTRY is a 32-bit address (4 bytes)");
        }
        ByteBuffer b = ByteBuffer.wrap(d).order(ByteOrder.LITTLE_ENDIAN);
        long entry = d.length == 4 ? b.getInt(0) & 0xffffffffL : b.getLong(0);
        if (entry < 0 || entry > 0xffffffffL) {
            throw new BootImageException(source, String.format("the PVH entry point 0x%x is above 4 GiB; "
                    + "PVH enters the kernel in 32-bit mode", entry));
        }
        return new PvhImage(source, bytes, elf, entry);
    }

    /** Whether {@code elf} has a PVH entry note (whatever its contents). */
    static boolean hasEntryNote(ElfFile elf) {
        return entryNote(elf) != null;
    }

    private static ElfFile.Note entryNote(ElfFile elf) {
        for (ElfFile.Note n : elf.notes()) {
            if (n.name().equals(XEN_NOTE_NAME) && n.type() == XEN_ELFNOTE_PHYS32_ENTRY) {
                return n;
            }
        }
        return null;
    }

    /** The file name this image came from. */
    @Override
    public String source() {
        return source;
    }

    /** The parsed ELF file. */
    public ElfFile elf() {
        return elf;
    }

    /** The physical entry address from the PVH note. */
    public long entry() {
        return entry;
    }

    /** The first byte past the highest segment. */
    public long end() {
        return elf.physicalEnd();
    }

    /**
     * Checks that every segment lies in RAM at or above 1 MiB ({@code ramSize} bytes of it),
     * without touching memory.
     */
    @Override
    public void checkFits(long ramSize) throws BootImageException {
        int i = 0;
        for (ElfFile.Segment s : elf.segments()) {
            long start = s.physicalAddress();
            long end = start + s.memorySize();
            if (s.memorySize() > 0 && (start < 0 || end > ramSize || end < start)) {
                throw new BootImageException(source, String.format("segment %d at 0x%x-0x%x does not fit in %d MiB "
                        + "of guest RAM; give the VM more memory with -m", i, start, end, ramSize >> 20));
            }
            if (s.memorySize() > 0 && start < MemoryLayout.HIGH_RAM_START) {
                throw new BootImageException(source, String.format("segment %d at 0x%x-0x%x lies below 1 MiB, "
                        + "where jvmm keeps the boot data and firmware; link the kernel at 1 MiB or above", i, start,
                        end));
            }
            i++;
        }
    }

    /**
     * What {@link #load} left: the entry point, the start info's address, and the boot CPU's
     * state.
     */
    public record Loaded(long entry, long startInfoAddress, KernelEntry cpu) implements KernelImages.Booted {
        /** The boot CPU's registers and segments, on a CPU whose KVM-created state is {@code resetState}. */
        @Override
        public CpuImage bootCpu(Sregs resetState) {
            return cpu.cpuImage(resetState);
        }
    }

    /**
     * Copies the segments into {@code memory}, then writes the start info, the command line, the
     * memory map, the GDT and the initrd. All vCPUs must be stopped.
     *
     * @param initrd the initial ramdisk, or null (or empty) for none
     * @param rsdpAddress the ACPI RSDP's physical address, or 0 if there is none
     * @throws BootImageException if the image, the command line or the initrd does not fit
     */
    @Override
    public Loaded load(GuestMemory memory, String commandLine, byte[] initrd, long rsdpAddress)
            throws BootImageException {
        long ram = memory.size();
        checkFits(ram);
        byte[] cmd = BootData.cString(commandLine);
        if (cmd.length > KernelBootLayout.CMDLINE_MAX) {
            throw new BootImageException(source, String.format("the command line is %d bytes, more than the "
                    + "%d jvmm has room for", cmd.length - 1, KernelBootLayout.CMDLINE_MAX - 1));
        }
        boolean hasInitrd = initrd != null && initrd.length > 0;
        long initrdAddr = 0;
        if (hasInitrd) {
            initrdAddr = BootData.alignDown(ram - initrd.length, BootData.PAGE);
            if (initrdAddr < Math.max(end(), MemoryLayout.HIGH_RAM_START)) {
                throw new BootImageException(source, String.format("the %d-byte initrd does not fit between the "
                        + "kernel's end (0x%x) and the end of %d MiB of RAM; give the VM more memory with -m",
                        initrd.length, end(), ram >> 20));
            }
        }
        elf.copySegments(memory, bytes);
        memory.write(KernelBootLayout.CMDLINE, cmd);
        E820Map map = E820Map.forRam(ram);
        map.writeHvm(memory, KernelBootLayout.PVH_MEMMAP);

        long info = KernelBootLayout.PVH_START_INFO;
        memory.fill(info, HvmStartInfo.SIZE, (byte) 0);
        memory.writeU32(info + HvmStartInfo.MAGIC, HvmStartInfo.MAGIC_VALUE);
        memory.writeU32(info + HvmStartInfo.VERSION_FIELD, HvmStartInfo.VERSION);
        memory.writeU32(info + HvmStartInfo.FLAGS, 0);
        memory.writeU32(info + HvmStartInfo.NR_MODULES, hasInitrd ? 1 : 0);
        memory.writeU64(info + HvmStartInfo.MODLIST_PADDR, hasInitrd ? KernelBootLayout.PVH_MODLIST : 0);
        memory.writeU64(info + HvmStartInfo.CMDLINE_PADDR, KernelBootLayout.CMDLINE);
        memory.writeU64(info + HvmStartInfo.RSDP_PADDR, rsdpAddress);
        memory.writeU64(info + HvmStartInfo.MEMMAP_PADDR, KernelBootLayout.PVH_MEMMAP);
        memory.writeU32(info + HvmStartInfo.MEMMAP_ENTRIES, map.size());
        memory.writeU32(info + HvmStartInfo.RESERVED, 0);

        long mod = KernelBootLayout.PVH_MODLIST;
        memory.fill(mod, HvmStartInfo.ModlistEntry.SIZE, (byte) 0);
        if (hasInitrd) {
            memory.write(initrdAddr, initrd);
            memory.writeU64(mod + HvmStartInfo.ModlistEntry.PADDR, initrdAddr);
            memory.writeU64(mod + HvmStartInfo.ModlistEntry.SIZE_FIELD, initrd.length);
            memory.writeU64(mod + HvmStartInfo.ModlistEntry.CMDLINE_PADDR, 0); // none
        }
        long[] r = Regs.reset().toArray();
        r[1] = info; // EBX
        r[16] = entry; // EIP
        return new Loaded(entry, info, KernelEntry.protectedMode(memory, Regs.of(r)));
    }
}
