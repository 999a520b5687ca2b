package io.jvmm.core.boot;

import io.jvmm.kvm.Abi;

/**
 * The Linux/x86 boot protocol's zero page ({@code struct boot_params} of {@code
 * <asm/bootparam.h>}, Documentation/arch/x86/boot.rst and zero-page.rst) as sizes and field
 * offsets, in one place. Setup-header fields are given as offsets in the zero page, which are also
 * their offsets in a bzImage file (the header sits at 0x1F1 in both). Only the members the loader
 * reads or writes are listed; {@code BootParamsLayoutTest} compiles a C program against the
 * installed header and checks every marked constant with offsetof and sizeof.
 */
@Abi.Struct("boot_params")
public final class BootParams {
    private BootParams() {
    }

    public static final int SIZE = 4096;
    @Abi.Field(value = "acpi_rsdp_addr", size = 8) public static final int ACPI_RSDP_ADDR = 0x070;
    @Abi.Field(value = "e820_entries", size = 1) public static final int E820_ENTRIES = 0x1e8;
    @Abi.Field(value = "hdr", size = SetupHeader.SIZE) public static final int HDR = 0x1f1;
    @Abi.Field(value = "hdr.setup_sects", size = 1) public static final int SETUP_SECTS = 0x1f1;
    @Abi.Field(value = "hdr.boot_flag", size = 2) public static final int BOOT_FLAG = 0x1fe;
    @Abi.Field(value = "hdr.jump", size = 2) public static final int JUMP = 0x200;
    @Abi.Field(value = "hdr.header", size = 4) public static final int HEADER = 0x202;
    @Abi.Field(value = "hdr.version", size = 2) public static final int VERSION = 0x206;
    @Abi.Field(value = "hdr.type_of_loader", size = 1) public static final int TYPE_OF_LOADER = 0x210;
    @Abi.Field(value = "hdr.loadflags", size = 1) public static final int LOADFLAGS = 0x211;
    @Abi.Field(value = "hdr.code32_start", size = 4) public static final int CODE32_START = 0x214;
    @Abi.Field(value = "hdr.ramdisk_image", size = 4) public static final int RAMDISK_IMAGE = 0x218;
    @Abi.Field(value = "hdr.ramdisk_size", size = 4) public static final int RAMDISK_SIZE = 0x21c;
    @Abi.Field(value = "hdr.heap_end_ptr", size = 2) public static final int HEAP_END_PTR = 0x224;
    @Abi.Field(value = "hdr.cmd_line_ptr", size = 4) public static final int CMD_LINE_PTR = 0x228;
    @Abi.Field(value = "hdr.initrd_addr_max", size = 4) public static final int INITRD_ADDR_MAX = 0x22c;
    @Abi.Field(value = "hdr.kernel_alignment", size = 4) public static final int KERNEL_ALIGNMENT = 0x230;
    @Abi.Field(value = "hdr.relocatable_kernel", size = 1) public static final int RELOCATABLE_KERNEL = 0x234;
    @Abi.Field(value = "hdr.xloadflags", size = 2) public static final int XLOADFLAGS = 0x236;
    @Abi.Field(value = "hdr.cmdline_size", size = 4) public static final int CMDLINE_SIZE = 0x238;
    @Abi.Field(value = "hdr.payload_offset", size = 4) public static final int PAYLOAD_OFFSET = 0x248;
    @Abi.Field(value = "hdr.payload_length", size = 4) public static final int PAYLOAD_LENGTH = 0x24c;
    @Abi.Field(value = "hdr.pref_address", size = 8) public static final int PREF_ADDRESS = 0x258;
    @Abi.Field(value = "hdr.init_size", size = 4) public static final int INIT_SIZE = 0x260;
    @Abi.Field(value = "e820_table", size = E820Entry.SIZE * BootParams.E820_MAX)
    public static final int E820_TABLE = 0x2d0;

    /** E820_MAX_ENTRIES_ZEROPAGE: room in {@link #E820_TABLE}. */
    @Abi.Value("E820_MAX_ENTRIES_ZEROPAGE") public static final int E820_MAX = 128;
    /** "HdrS", the setup header's magic, read as a little-endian u32. */
    public static final int HEADER_MAGIC = 0x53726448;
    /** loadflags: the protected-mode code is loaded at 0x100000. */
    @Abi.Value("LOADED_HIGH") public static final int LOADED_HIGH = 1;
    /** loadflags: heap_end_ptr is valid. */
    @Abi.Value("CAN_USE_HEAP") public static final int CAN_USE_HEAP = 0x80;
    /** xloadflags: the kernel has the 64-bit entry point at offset 0x200. */
    @Abi.Value("XLF_KERNEL_64") public static final int XLF_KERNEL_64 = 1;

    /** {@code struct setup_header}: the part of the zero page a loader copies from the image. */
    @Abi.Struct("setup_header")
    public static final class SetupHeader {
        private SetupHeader() {
        }

        /** Its size at protocol 2.15 (0x1F1..0x26C, kernel_info_offset last). */
        public static final int SIZE = 0x7b;
    }

    /** {@code struct boot_e820_entry}: one range of the memory map; {@link E820Map#writeBootParams} writes these. */
    @Abi.Struct("boot_e820_entry")
    public static final class E820Entry {
        private E820Entry() {
        }

        public static final int SIZE = 20;
        @Abi.Field(value = "addr", size = 8) public static final int ADDR = 0;
        @Abi.Field(value = "size", size = 8) public static final int SIZE_FIELD = 8;
        @Abi.Field(value = "type", size = 4) public static final int TYPE = 16;
    }
}
