package io.jvmm.core.boot;

/**
 * The PVH boot structures as sizes and field offsets, in one place: {@code struct
 * hvm_start_info}, {@code struct hvm_modlist_entry} and {@code struct hvm_memmap_table_entry} of
 * Xen's public header xen/include/public/arch-x86/hvm/start_info.h (version 1 of the start info).
 * All fields are little-endian; addresses and sizes are 64-bit. {@code HvmStartInfoLayoutTest}
 * pins every value to the offsets that header documents.
 */
public final class HvmStartInfo {
    private HvmStartInfo() {
    }

    /** XEN_HVM_START_MAGIC_VALUE ("xEn3" with the 0x80 bit of the "E" set). */
    public static final long MAGIC_VALUE = 0x336ec578L;
    /** The version this loader writes: 1, the first with the memory map. */
    public static final int VERSION = 1;

    /** {@code struct hvm_start_info}. */
    public static final int SIZE = 56;
    public static final int MAGIC = 0;
    public static final int VERSION_FIELD = 4;
    public static final int FLAGS = 8;
    public static final int NR_MODULES = 12;
    public static final int MODLIST_PADDR = 16;
    public static final int CMDLINE_PADDR = 24;
    public static final int RSDP_PADDR = 32;
    public static final int MEMMAP_PADDR = 40;
    public static final int MEMMAP_ENTRIES = 48;
    public static final int RESERVED = 52;

    /** {@code struct hvm_modlist_entry}. */
    public static final class ModlistEntry {
        private ModlistEntry() {
        }

        public static final int SIZE = 32;
        public static final int PADDR = 0;
        public static final int SIZE_FIELD = 8;
        public static final int CMDLINE_PADDR = 16;
        public static final int RESERVED = 24;
    }

    /** {@code struct hvm_memmap_table_entry}; {@link E820Map#writeHvm} writes these. */
    public static final class MemmapEntry {
        private MemmapEntry() {
        }

        public static final int SIZE = 24;
        public static final int ADDR = 0;
        public static final int SIZE_FIELD = 8;
        public static final int TYPE = 16;
        public static final int RESERVED = 20;
    }
}
