package io.jvmm.core.boot;

import io.jvmm.core.memory.GuestMemory;
import io.jvmm.core.memory.MemoryLayout;
import java.util.List;

/**
 * The guest-physical memory map every boot protocol hands the guest (BIOS INT 15h E820 style),
 * derived from the RAM size and {@link MemoryLayout}:
 *
 * <pre>
 *   0x0000_0000 - 0x0009_FBFF   usable     conventional memory
 *   0x0009_FC00 - 0x000F_FFFF   reserved   EBDA, VGA hole, option ROMs, firmware area
 *   0x0010_0000 - RAM end       usable
 *   0xFEC0_0000 + 4 KiB         reserved   IOAPIC window
 *   0xFEE0_0000 + 4 KiB         reserved   local APIC window
 *   0xFFFB_C000 + 16 KiB        reserved   KVM's identity-map page and real-mode TSS
 * </pre>
 *
 * <p>The last three are not RAM: they are listed so that a guest never places a PCI BAR or
 * anything else over them. The map is written in the two binary forms the loaders need: the
 * 20-byte {@code struct boot_e820_entry} of Linux's {@code boot_params.e820_table} and the
 * 24-byte {@code struct hvm_memmap_table_entry} of the PVH start info.
 */
public final class E820Map {
    /** Size of one {@code struct boot_e820_entry} (packed: addr u64, size u64, type u32). */
    public static final int BOOT_PARAMS_ENTRY_SIZE = BootParams.E820Entry.SIZE;
    /** Size of one {@code struct hvm_memmap_table_entry} (addr u64, size u64, type u32, reserved u32). */
    public static final int HVM_ENTRY_SIZE = HvmStartInfo.MemmapEntry.SIZE;
    /** KVM_SET_IDENTITY_MAP_ADDR's page plus KVM_SET_TSS_ADDR's three pages. */
    static final long KVM_PRIVATE_SIZE = 0x4000;

    /** The range types of the ACPI specification's address map ("System Address Map Interfaces"). */
    public enum Type {
        /** AddressRangeMemory: RAM the OS may use. */
        USABLE(1),
        /** AddressRangeReserved: not to be used by the OS. */
        RESERVED(2),
        /** AddressRangeACPI: ACPI tables, reclaimable once read. */
        ACPI(3);

        private final int code;

        Type(int code) {
            this.code = code;
        }

        /** The number written into the entry's type field. */
        public int code() {
            return code;
        }
    }

    /** One range: {@code size} bytes from {@code addr}. */
    public record Entry(long addr, long size, Type type) {
        /** The first byte past the range. */
        public long end() {
            return addr + size;
        }
    }

    private final List<Entry> entries;

    private E820Map(List<Entry> entries) {
        this.entries = entries;
    }

    /**
     * The map of a machine with {@code ramSize} bytes of RAM from guest-physical 0.
     *
     * @throws IllegalArgumentException if the RAM does not reach past 1 MiB or runs into the
     *     APIC windows (both ruled out by {@link GuestMemory#allocate})
     */
    public static E820Map forRam(long ramSize) {
        if (ramSize <= MemoryLayout.HIGH_RAM_START || ramSize > MemoryLayout.MAX_RAM) {
            throw new IllegalArgumentException(String.format("RAM size 0x%x is outside 1 MiB..0x%x", ramSize,
                    MemoryLayout.MAX_RAM));
        }
        return new E820Map(List.of(
                new Entry(0, MemoryLayout.LOW_RAM_END, Type.USABLE),
                new Entry(MemoryLayout.LOW_RAM_END, MemoryLayout.HIGH_RAM_START - MemoryLayout.LOW_RAM_END,
                        Type.RESERVED),
                new Entry(MemoryLayout.HIGH_RAM_START, ramSize - MemoryLayout.HIGH_RAM_START, Type.USABLE),
                new Entry(MemoryLayout.IOAPIC_BASE, 0x1000, Type.RESERVED),
                new Entry(MemoryLayout.LAPIC_BASE, 0x1000, Type.RESERVED),
                new Entry(MemoryLayout.IDENTITY_MAP_ADDR, KVM_PRIVATE_SIZE, Type.RESERVED)));
    }

    /** The ranges in ascending address order; they do not overlap. */
    public List<Entry> entries() {
        return entries;
    }

    /** Number of ranges. */
    public int size() {
        return entries.size();
    }

    /** Writes the map at {@code address} as {@code struct boot_e820_entry[]} (20 bytes each, packed). */
    public void writeBootParams(GuestMemory memory, long address) {
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            long at = address + (long) BOOT_PARAMS_ENTRY_SIZE * i;
            memory.writeU64(at + BootParams.E820Entry.ADDR, e.addr());
            memory.writeU64(at + BootParams.E820Entry.SIZE_FIELD, e.size());
            memory.writeU32(at + BootParams.E820Entry.TYPE, e.type().code());
        }
    }

    /** Writes the map at {@code address} as {@code struct hvm_memmap_table_entry[]} (24 bytes each). */
    public void writeHvm(GuestMemory memory, long address) {
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            long at = address + (long) HVM_ENTRY_SIZE * i;
            memory.writeU64(at + HvmStartInfo.MemmapEntry.ADDR, e.addr());
            memory.writeU64(at + HvmStartInfo.MemmapEntry.SIZE_FIELD, e.size());
            memory.writeU32(at + HvmStartInfo.MemmapEntry.TYPE, e.type().code());
            memory.writeU32(at + HvmStartInfo.MemmapEntry.RESERVED, 0); // must be zero
        }
    }
}
