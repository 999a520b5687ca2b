package io.jvmm.core.boot;

/**
 * Where the Linux loaders ({@link BzImage}, {@link PvhImage}) put their boot data in low memory.
 *
 * <pre>
 *   0x0_1000            boot GDT: null, null, __BOOT_CS (0x10), __BOOT_DS (0x18)
 *   0x0_6000            PVH: struct hvm_start_info (56 bytes; EBX points here)
 *   0x0_6040            PVH: struct hvm_modlist_entry for the initrd (32 bytes)
 *   0x0_7000            bzImage: struct boot_params, the zero page (4 KiB; RSI points here)
 *                       PVH: the memory map, struct hvm_memmap_table_entry[] (up to 128)
 *   0x0_9000            bzImage, 64-bit entry: PML4 (CR3)
 *   0x0_A000            bzImage, 64-bit entry: PDPT
 *   0x0_B000            bzImage, 64-bit entry: PD, 512 x 2 MiB identity-mapping 0..1 GiB
 *   0x2_0000 - 0x2_FFFF the command line, NUL-terminated
 *   0x10_0000           bzImage: the protected-mode kernel
 *   top of RAM, down    the initrd, page-aligned
 * </pre>
 *
 * <p>Why here: page 0 (real-mode IVT, BIOS data area) stays untouched; everything lies below
 * 0x9FC00 (the EBDA) and the firmware area, in RAM that {@link E820Map} reports usable. Linux
 * keeps the first 64 KiB out of its allocator (CONFIG_X86_RESERVE_LOW) and copies the zero page,
 * the command line and the PVH start info into the kernel image before it allocates anything, so
 * nothing here is overwritten while the kernel still needs it. The start info and zero page
 * addresses are those of Firecracker's x86_64 layout; Firecracker also puts the command line at
 * 0x20000. These pages are used only when booting a Linux kernel: a Multiboot image's data goes
 * above 1 MiB and leaves low memory alone.
 */
public final class KernelBootLayout {
    private KernelBootLayout() {
    }

    /** The boot GDT (4 descriptors, 32 bytes). */
    public static final long GDT = 0x1000;
    /** PVH: {@code struct hvm_start_info}. */
    public static final long PVH_START_INFO = 0x6000;
    /** PVH: the initrd's {@code struct hvm_modlist_entry}. */
    public static final long PVH_MODLIST = 0x6040;
    /** PVH: the memory map. */
    public static final long PVH_MEMMAP = 0x7000;
    /** bzImage: {@code struct boot_params}. */
    public static final long ZERO_PAGE = 0x7000;
    /** bzImage, 64-bit entry: the PML4, whose address goes into CR3. */
    public static final long PML4 = 0x9000;
    /** bzImage, 64-bit entry: the page-directory-pointer table. */
    public static final long PDPT = 0xa000;
    /** bzImage, 64-bit entry: the page directory of 2 MiB pages. */
    public static final long PD = 0xb000;
    /** The command line. */
    public static final long CMDLINE = 0x20000;
    /** Room for the command line, its NUL included. */
    public static final long CMDLINE_MAX = 0x10000;
    /** bzImage: where the protected-mode kernel goes (as QEMU and Firecracker load it). */
    public static final long KERNEL_LOAD = 0x100000;
    /** The highest byte the identity mapping of the 64-bit entry covers, plus one (1 GiB). */
    public static final long IDENTITY_MAPPED = 1L << 30;
}
