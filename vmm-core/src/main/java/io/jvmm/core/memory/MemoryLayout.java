package io.jvmm.core.memory;

/**
 * The guest-physical address map every machine uses (x86 PC conventions).
 *
 * <pre>
 *   0x0000_0000 - 0x0009_FBFF  free RAM: for a Multiboot image the VMM puts nothing here, so a guest
 *                              may place an AP trampoline on any page, page 0 included; a Linux
 *                              kernel gets its boot data here (io.jvmm.core.boot.KernelBootLayout)
 *   0x0009_FC00 - 0x000D_FFFF  reserved (EBDA, VGA hole, option ROMs): RAM, marked reserved
 *   0x000E_0000 - 0x000F_FFFF  firmware area: ACPI tables, MP tables, boot GDT; marked reserved
 *   0x0010_0000 - RAM end      free RAM; the boot image, then the Multiboot info and modules
 *   ...                        (RAM ends at or below {@link #MAX_RAM})
 *   0xFEC0_0000                in-kernel IOAPIC
 *   0xFEE0_0000                in-kernel local APICs
 *   0xFFFB_C000 - 0xFFFB_FFFF  KVM's identity-map page and real-mode TSS
 * </pre>
 */
public final class MemoryLayout {
    private MemoryLayout() {
    }

    /** End of the conventional memory a guest may use freely (639 KiB). */
    public static final long LOW_RAM_END = 0x9fc00;
    /** Start of the firmware area that holds the VMM's tables. */
    public static final long FIRMWARE_START = 0xe0000;
    /** End (exclusive) of the firmware area. */
    public static final long FIRMWARE_END = 0x100000;
    /** Where high memory starts. */
    public static final long HIGH_RAM_START = 0x100000;
    /** The most RAM a machine can have: it must stay below the PCI hole and the APIC windows. */
    public static final long MAX_RAM = 0xc0000000L;
    /** The least RAM a machine can have: the firmware area plus room for a guest. */
    public static final long MIN_RAM = 2L << 20;
    /** The IOAPIC's MMIO base. */
    public static final long IOAPIC_BASE = 0xfec00000L;
    /** The local APICs' MMIO base. */
    public static final long LAPIC_BASE = 0xfee00000L;
    /** KVM_SET_IDENTITY_MAP_ADDR (one page). */
    public static final long IDENTITY_MAP_ADDR = 0xfffbc000L;
    /** KVM_SET_TSS_ADDR (three pages). */
    public static final long TSS_ADDR = 0xfffbd000L;
}
