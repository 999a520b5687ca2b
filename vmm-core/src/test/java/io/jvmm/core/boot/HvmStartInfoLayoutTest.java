package io.jvmm.core.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * Pins {@link HvmStartInfo} to the layout Xen's public header documents. The header
 * (xen/include/public/arch-x86/hvm/start_info.h) is not installed on build machines, so its
 * documented offsets are copied here from its ASCII diagrams and C structs (version 1):
 *
 * <pre>
 * struct hvm_start_info          struct hvm_modlist_entry    struct hvm_memmap_table_entry
 *   0 magic           u32          0 paddr          u64        0 addr      u64
 *   4 version         u32          8 size           u64        8 size      u64
 *   8 flags           u32         16 cmdline_paddr  u64       16 type      u32
 *  12 nr_modules      u32         24 reserved       u64       20 reserved  u32
 *  16 modlist_paddr   u64         32 (size)                   24 (size)
 *  24 cmdline_paddr   u64
 *  32 rsdp_paddr      u64
 *  40 memmap_paddr    u64
 *  48 memmap_entries  u32
 *  52 reserved        u32
 *  56 (size)
 * </pre>
 *
 * {@code PvhImageTest} reads what the loader writes back at these offsets.
 */
class HvmStartInfoLayoutTest {
    @Test
    void startInfo() {
        assertEquals(56, HvmStartInfo.SIZE);
        assertEquals(0, HvmStartInfo.MAGIC);
        assertEquals(4, HvmStartInfo.VERSION_FIELD);
        assertEquals(8, HvmStartInfo.FLAGS);
        assertEquals(12, HvmStartInfo.NR_MODULES);
        assertEquals(16, HvmStartInfo.MODLIST_PADDR);
        assertEquals(24, HvmStartInfo.CMDLINE_PADDR);
        assertEquals(32, HvmStartInfo.RSDP_PADDR);
        assertEquals(40, HvmStartInfo.MEMMAP_PADDR);
        assertEquals(48, HvmStartInfo.MEMMAP_ENTRIES);
        assertEquals(52, HvmStartInfo.RESERVED);
        assertEquals(0x336ec578L, HvmStartInfo.MAGIC_VALUE, "XEN_HVM_START_MAGIC_VALUE");
        assertEquals(1, HvmStartInfo.VERSION, "the first version with memmap_paddr and memmap_entries");
    }

    @Test
    void modlistEntry() {
        assertEquals(32, HvmStartInfo.ModlistEntry.SIZE);
        assertEquals(0, HvmStartInfo.ModlistEntry.PADDR);
        assertEquals(8, HvmStartInfo.ModlistEntry.SIZE_FIELD);
        assertEquals(16, HvmStartInfo.ModlistEntry.CMDLINE_PADDR);
        assertEquals(24, HvmStartInfo.ModlistEntry.RESERVED);
    }

    @Test
    void memmapTableEntry() {
        assertEquals(24, HvmStartInfo.MemmapEntry.SIZE);
        assertEquals(24, E820Map.HVM_ENTRY_SIZE);
        assertEquals(0, HvmStartInfo.MemmapEntry.ADDR);
        assertEquals(8, HvmStartInfo.MemmapEntry.SIZE_FIELD);
        assertEquals(16, HvmStartInfo.MemmapEntry.TYPE);
        assertEquals(20, HvmStartInfo.MemmapEntry.RESERVED);
    }

    @Test
    void noteTypeIsXenElfnotePhys32Entry() {
        assertEquals(18, PvhImage.XEN_ELFNOTE_PHYS32_ENTRY, "xen/include/public/elfnote.h");
    }

    @Test
    void fitsBeforeTheModuleListAndTheMemoryMap() {
        assertEquals(true, KernelBootLayout.PVH_START_INFO + HvmStartInfo.SIZE <= KernelBootLayout.PVH_MODLIST);
        assertEquals(true,
                KernelBootLayout.PVH_MODLIST + HvmStartInfo.ModlistEntry.SIZE <= KernelBootLayout.PVH_MEMMAP);
        assertEquals(true, KernelBootLayout.PVH_MEMMAP + (long) BootParams.E820_MAX * HvmStartInfo.MemmapEntry.SIZE
                <= KernelBootLayout.PML4, "room for a full map below the next structure");
    }
}
