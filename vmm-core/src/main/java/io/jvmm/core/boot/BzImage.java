package io.jvmm.core.boot;

import io.jvmm.core.memory.GuestMemory;
import io.jvmm.core.memory.MemoryLayout;
import io.jvmm.core.vcpu.CpuImage;
import io.jvmm.kvm.Regs;
import io.jvmm.kvm.Sregs;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A Linux/x86 bzImage of boot protocol 2.06 or later (Documentation/arch/x86/boot.rst), booted
 * the way QEMU and Firecracker boot one directly: the real-mode setup code is not run; the
 * protected-mode kernel goes to 1 MiB and is entered at its 64-bit entry (startup_64, load
 * address + 0x200) when the header's xloadflags has XLF_KERNEL_64, otherwise at its 32-bit entry
 * (the load address), with a zero page built by the loader. Parsed once, loadable any number of
 * times.
 *
 * <p>The zero page holds the image's setup header (0x1F1 up to 0x202 + the byte at 0x201) with
 * the loader's fields filled in, the memory map, and the RSDP address; the command line, the GDT
 * and the page tables go at {@link KernelBootLayout}'s low addresses; the initrd goes page-aligned
 * as high as both RAM and the kernel's initrd_addr_max allow.
 */
public final class BzImage implements KernelImages.LinuxImage {
    /** The lowest boot protocol accepted: 2.06 brought cmdline_size (Linux 2.6.22). */
    public static final int MIN_PROTOCOL = 0x0206;
    /** The 64-bit entry's offset from the load address (startup_64). */
    public static final long ENTRY_64_OFFSET = 0x200;
    /** type_of_loader: "undefined", the value for loaders without an assigned ID. */
    static final int LOADER_UNDEFINED = 0xff;
    /**
     * heap_end_ptr: boot.rst's value for a protocol 2.02+ kernel whose real-mode code sits at the
     * start of its 64 KiB segment (heap end 0xE000, less 0x200). The setup code that reads it is
     * not run here, but the kernel sees a consistent header.
     */
    static final int HEAP_END_PTR = 0xe000 - 0x200;
    /** The end of the zero page's room for the setup header (edd_mbr_sig_buffer follows at 0x290). */
    private static final int HEADER_ROOM_END = 0x290;
    private static final int PROTOCOL_2_10 = 0x020a;
    private static final int PROTOCOL_2_12 = 0x020c;
    private static final int PROTOCOL_2_14 = 0x020e;

    private final String source;
    private final byte[] bytes;
    private final int protocol;
    private final int kernelOffset;
    private final int headerEnd;
    private final boolean kernel64;

    private BzImage(String source, byte[] bytes, int protocol, int kernelOffset, int headerEnd, boolean kernel64) {
        this.source = source;
        this.bytes = bytes;
        this.protocol = protocol;
        this.kernelOffset = kernelOffset;
        this.headerEnd = headerEnd;
        this.kernel64 = kernel64;
    }

    /** Whether {@code bytes} carries the setup header magic "HdrS" at 0x202 and the version after it. */
    static boolean hasHeaderMagic(byte[] bytes) {
        return bytes.length >= BootParams.VERSION + 2 && u32(bytes, BootParams.HEADER) == BootParams.HEADER_MAGIC;
    }

    /**
     * Checks that {@code bytes} is a bzImage this loader can boot.
     *
     * @throws BootImageException naming {@code source} and the problem
     */
    public static BzImage parse(String source, byte[] bytes) throws BootImageException {
        if (!hasHeaderMagic(bytes)) {
            throw new BootImageException(source, "not a bzImage (no \"HdrS\" setup header magic at offset 0x202)");
        }
        int protocol = u16(bytes, BootParams.VERSION);
        if (protocol < MIN_PROTOCOL) {
            throw new BootImageException(source, String.format("bzImage of boot protocol %d.%02d, older than 2.06; "
                    + "jvmm boots kernels from Linux 2.6.22 on", protocol >> 8, protocol & 0xff));
        }
        int headerEnd = 0x202 + (bytes[0x201] & 0xff);
        if (headerEnd < BootParams.CMDLINE_SIZE + 4 || headerEnd > HEADER_ROOM_END) {
            throw new BootImageException(source, String.format("the setup header of this protocol %d.%02d "
                    + "bzImage claims to end at 0x%x, outside 0x%x..0x%x (a corrupt image?)", protocol >> 8,
                    protocol & 0xff, headerEnd, BootParams.CMDLINE_SIZE + 4, HEADER_ROOM_END));
        }
        int setupSects = bytes[BootParams.SETUP_SECTS] & 0xff;
        int kernelOffset = ((setupSects == 0 ? 4 : setupSects) + 1) * 512;
        if (bytes.length < headerEnd || bytes.length <= kernelOffset) {
            throw new BootImageException(source, String.format("truncated bzImage: %d bytes, but the "
                    + "protected-mode kernel starts at 0x%x", bytes.length, kernelOffset));
        }
        if ((bytes[BootParams.LOADFLAGS] & BootParams.LOADED_HIGH) == 0) {
            throw new BootImageException(source, "a zImage (loaded at 0x10000, LOADED_HIGH clear in loadflags); "
                    + "jvmm boots bzImages, which load at 1 MiB");
        }
        boolean kernel64 = protocol >= PROTOCOL_2_12
                && (u16(bytes, BootParams.XLOADFLAGS) & BootParams.XLF_KERNEL_64) != 0;
        return new BzImage(source, bytes, protocol, kernelOffset, headerEnd, kernel64);
    }

    /** The file name this image came from. */
    @Override
    public String source() {
        return source;
    }

    /** The boot protocol version, e.g. 0x020F for 2.15. */
    public int protocol() {
        return protocol;
    }

    /** Whether the kernel has the 64-bit entry point (XLF_KERNEL_64), so it is entered in long mode. */
    public boolean kernel64() {
        return kernel64;
    }

    /** File offset of the protected-mode kernel: (setup_sects + 1) * 512. */
    public int kernelOffset() {
        return kernelOffset;
    }

    /** Length of the protected-mode kernel in bytes. */
    public int kernelLength() {
        return bytes.length - kernelOffset;
    }

    /** The protected-mode kernel: the file from {@link #kernelOffset()} to the end. */
    public byte[] protectedModeKernel() {
        return java.util.Arrays.copyOfRange(bytes, kernelOffset, bytes.length);
    }

    /** The address the kernel is entered at: startup_64 for a 64-bit kernel, else the load address. */
    public long entry() {
        return KernelBootLayout.KERNEL_LOAD + (kernel64 ? ENTRY_64_OFFSET : 0);
    }

    /** cmdline_size: the longest command line the kernel takes, without its NUL. */
    public long cmdlineSize() {
        return u32(bytes, BootParams.CMDLINE_SIZE) & 0xffffffffL;
    }

    /** initrd_addr_max: the highest address the initrd may occupy. */
    public long initrdAddrMax() {
        return u32(bytes, BootParams.INITRD_ADDR_MAX) & 0xffffffffL;
    }

    /**
     * The first byte past the memory the kernel needs before it reads the memory map: the loaded
     * image, and (protocol 2.10+) init_size bytes from where it decompresses itself, which is
     * pref_address, or for a relocatable kernel the load address rounded up to kernel_alignment
     * if that is higher (the decompressor's rule).
     */
    public long end() {
        long end = KernelBootLayout.KERNEL_LOAD + kernelLength();
        if (protocol >= PROTOCOL_2_10) {
            long pref = u64(bytes, BootParams.PREF_ADDRESS);
            long align = u32(bytes, BootParams.KERNEL_ALIGNMENT) & 0xffffffffL;
            long runtime = pref;
            if (bytes[BootParams.RELOCATABLE_KERNEL] != 0 && Long.bitCount(align) == 1) {
                runtime = Math.max(BootData.alignUp(KernelBootLayout.KERNEL_LOAD, align), pref);
            }
            long initSize = u32(bytes, BootParams.INIT_SIZE) & 0xffffffffL;
            end = Math.max(end, runtime + initSize);
        }
        return end;
    }

    /** Checks that the kernel's memory ({@link #end()}) fits in {@code ramSize} bytes, without touching memory. */
    @Override
    public void checkFits(long ramSize) throws BootImageException {
        if (end() > ramSize) {
            throw new BootImageException(source, String.format("the kernel needs memory up to 0x%x (%d MiB) before "
                    + "it reads the memory map, past the end of %d MiB of RAM; give the VM more memory with -m",
                    end(), BootData.alignUp(end(), 1 << 20) >> 20, ramSize >> 20));
        }
        if (kernel64 && KernelBootLayout.KERNEL_LOAD + kernelLength() > KernelBootLayout.IDENTITY_MAPPED) {
            throw new BootImageException(source, String.format("the %d-byte kernel reaches past the 1 GiB jvmm "
                    + "identity-maps for the 64-bit entry", kernelLength()));
        }
    }

    /** What {@link #load} left: the entry point, the zero page's address, and the boot CPU's state. */
    public record Loaded(long entry, long bootParamsAddress, KernelEntry cpu) implements KernelImages.Booted {
        /** The boot CPU's registers and segments, on a CPU whose KVM-created state is {@code resetState}. */
        @Override
        public CpuImage bootCpu(Sregs resetState) {
            return cpu.cpuImage(resetState);
        }
    }

    /**
     * Copies the protected-mode kernel to 1 MiB and writes the zero page, the command line, the
     * GDT, the page tables (64-bit entry) and the initrd. All vCPUs must be stopped.
     *
     * @param initrd the initial ramdisk, or null (or empty) for none
     * @param rsdpAddress the ACPI RSDP's physical address, or 0 to let the kernel search for it
     * @throws BootImageException if the kernel, the command line or the initrd does not fit
     */
    @Override
    public Loaded load(GuestMemory memory, String commandLine, byte[] initrd, long rsdpAddress)
            throws BootImageException {
        long ram = memory.size();
        checkFits(ram);
        byte[] cmd = BootData.cString(commandLine);
        long limit = Math.min(cmdlineSize(), KernelBootLayout.CMDLINE_MAX - 1);
        if (cmd.length - 1 > limit) {
            throw new BootImageException(source, String.format("the command line is %d bytes, longer than the "
                    + "%d this kernel takes (cmdline_size)", cmd.length - 1, limit));
        }
        boolean hasInitrd = initrd != null && initrd.length > 0;
        long initrdAddr = 0;
        if (hasInitrd) {
            long top = Math.min(ram, initrdAddrMax() + 1);
            initrdAddr = BootData.alignDown(top - initrd.length, BootData.PAGE);
            if (top - initrd.length < 0 || initrdAddr < end()) {
                throw new BootImageException(source, String.format("the %d-byte initrd does not fit between the "
                        + "kernel's end (0x%x) and 0x%x (the end of %d MiB of RAM, or initrd_addr_max + 1); give "
                        + "the VM more memory with -m", initrd.length, end(), top, ram >> 20));
            }
        }
        memory.write(KernelBootLayout.KERNEL_LOAD, bytes, kernelOffset, kernelLength());
        memory.write(KernelBootLayout.CMDLINE, cmd);
        if (hasInitrd) {
            memory.write(initrdAddr, initrd);
        }
        long zp = KernelBootLayout.ZERO_PAGE;
        memory.fill(zp, BootParams.SIZE, (byte) 0);
        memory.write(zp + BootParams.HDR, bytes, BootParams.HDR, headerEnd - BootParams.HDR);
        memory.writeU8(zp + BootParams.TYPE_OF_LOADER, LOADER_UNDEFINED);
        memory.writeU8(zp + BootParams.LOADFLAGS, memory.readU8(zp + BootParams.LOADFLAGS) | BootParams.CAN_USE_HEAP);
        memory.writeU16(zp + BootParams.HEAP_END_PTR, HEAP_END_PTR);
        memory.writeU32(zp + BootParams.CMD_LINE_PTR, KernelBootLayout.CMDLINE);
        memory.writeU32(zp + BootParams.RAMDISK_IMAGE, initrdAddr);
        memory.writeU32(zp + BootParams.RAMDISK_SIZE, hasInitrd ? initrd.length : 0);
        E820Map map = E820Map.forRam(ram);
        memory.writeU8(zp + BootParams.E820_ENTRIES, map.size());
        map.writeBootParams(memory, zp + BootParams.E820_TABLE);
        if (protocol >= PROTOCOL_2_14) {
            memory.writeU64(zp + BootParams.ACPI_RSDP_ADDR, rsdpAddress);
        }
        long[] r = Regs.reset().toArray();
        r[4] = zp; // RSI (ESI): the zero page; EBX, EBP, EDI stay 0 as the 32-bit entry requires
        r[16] = entry();
        Regs regs = Regs.of(r);
        KernelEntry cpu = kernel64 ? KernelEntry.longMode(memory, regs) : KernelEntry.protectedMode(memory, regs);
        return new Loaded(entry(), zp, cpu);
    }

    private static int u16(byte[] b, int off) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getShort(off) & 0xffff;
    }

    private static int u32(byte[] b, int off) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt(off);
    }

    private static long u64(byte[] b, int off) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong(off);
    }
}
