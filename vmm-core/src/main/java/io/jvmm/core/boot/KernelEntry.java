package io.jvmm.core.boot;

import io.jvmm.core.memory.GuestMemory;
import io.jvmm.core.vcpu.CpuImage;
import io.jvmm.kvm.DescriptorTable;
import io.jvmm.kvm.Regs;
import io.jvmm.kvm.Segment;
import io.jvmm.kvm.Sregs;

/**
 * The state a Linux kernel loader starts the boot CPU in, and the GDT (and for a 64-bit entry the
 * identity-mapping page tables) that state points at, written into guest memory at
 * {@link KernelBootLayout}'s addresses.
 *
 * <p>Both entries use the selectors of the Linux boot protocol (Documentation/arch/x86/boot.rst):
 * CS = __BOOT_CS (0x10), DS = ES = SS (and FS, GS) = __BOOT_DS (0x18), 4 GiB flat, interrupts
 * off, no IDT (any exception before the kernel loads its own shuts the machine down rather than
 * running through garbage gates). The PVH ABI (Xen's docs/misc/pvh.pandoc) leaves the selectors
 * free and asks for the same flat 32-bit segments, CR0 = PE, CR4 = 0 and a busy 32-bit TSS of
 * limit 0x67 in TR, which both entries give. The GDT is the loader's own, not the firmware's
 * ({@code BootFirmware.GDT_BASE} holds 32-bit descriptors only, at 0x08 and 0x10).
 *
 * @param regs the general-purpose registers, RIP and RFLAGS
 * @param code CS with its hidden part
 * @param data DS, ES, FS, GS and SS
 * @param gdt GDTR
 */
public record KernelEntry(Regs regs, Segment code, Segment data, DescriptorTable gdt, long cr0, long cr3, long cr4,
                          long efer) {
    /** __BOOT_CS: the code segment selector. */
    public static final int BOOT_CS = 0x10;
    /** __BOOT_DS: the data segment selector. */
    public static final int BOOT_DS = 0x18;
    /** CR4.PAE. */
    public static final long CR4_PAE = 1L << 5;
    /** EFER.LME: long mode enable. */
    public static final long EFER_LME = 1L << 8;
    /** A busy TSS (type 11: 32-bit in protected mode, 64-bit in long mode), base 0, limit 0x67. */
    static final Segment BOOT_TR = new Segment(0, 0x67, 0, 0xb, true, 0, false, false, false, false, false, false);
    /** IDTR: empty. */
    static final DescriptorTable NO_IDT = new DescriptorTable(0, 0);
    /** Page-table entry bits: present, writable, and (in a PD) a 2 MiB page. */
    private static final long PTE_PRESENT_RW = 0x3;
    private static final long PDE_LARGE = 0x80;
    private static final int GDT_ENTRIES = 4;

    /** A flat 4 GiB 64-bit code segment (L = 1, D = 0) as __BOOT_CS. */
    static Segment code64() {
        return new Segment(0, 0xffffffff, BOOT_CS, 0xb, true, 0, false, true, true, true, false, false);
    }

    /**
     * 32-bit protected mode, paging off, at {@code regs}; writes the GDT. All vCPUs must be
     * stopped.
     */
    static KernelEntry protectedMode(GuestMemory memory, Regs regs) {
        KernelEntry e = new KernelEntry(regs, Segment.flatCode32(BOOT_CS), Segment.flatData32(BOOT_DS), gdtr(),
                Sregs.CR0_PE | Sregs.CR0_ET, 0, 0, 0);
        e.writeGdt(memory);
        return e;
    }

    /**
     * 64-bit long mode, paging on with 0..1 GiB identity-mapped by 2 MiB pages, at {@code regs};
     * writes the GDT and the page tables. All vCPUs must be stopped.
     */
    static KernelEntry longMode(GuestMemory memory, Regs regs) {
        KernelEntry e = new KernelEntry(regs, code64(), Segment.flatData32(BOOT_DS), gdtr(),
                Sregs.CR0_PE | Sregs.CR0_ET | Sregs.CR0_PG, KernelBootLayout.PML4, CR4_PAE,
                EFER_LME | Sregs.EFER_LMA);
        e.writeGdt(memory);
        writeIdentityMap(memory);
        return e;
    }

    private static DescriptorTable gdtr() {
        return new DescriptorTable(KernelBootLayout.GDT, GDT_ENTRIES * 8 - 1);
    }

    private void writeGdt(GuestMemory memory) {
        memory.writeU64(KernelBootLayout.GDT, 0);
        memory.writeU64(KernelBootLayout.GDT + 8, 0);
        memory.writeU64(KernelBootLayout.GDT + BOOT_CS, descriptor(code));
        memory.writeU64(KernelBootLayout.GDT + BOOT_DS, descriptor(data));
    }

    /** One PML4 entry, one PDPT entry and a full PD of 2 MiB pages: virtual = physical below 1 GiB. */
    private static void writeIdentityMap(GuestMemory memory) {
        memory.fill(KernelBootLayout.PML4, 3 * BootData.PAGE, (byte) 0);
        memory.writeU64(KernelBootLayout.PML4, KernelBootLayout.PDPT | PTE_PRESENT_RW);
        memory.writeU64(KernelBootLayout.PDPT, KernelBootLayout.PD | PTE_PRESENT_RW);
        for (long i = 0; i < 512; i++) {
            memory.writeU64(KernelBootLayout.PD + 8 * i, (i << 21) | PTE_PRESENT_RW | PDE_LARGE);
        }
    }

    /** The 8-byte GDT descriptor whose loading gives the hidden part of {@code s}. */
    static long descriptor(Segment s) {
        long limit = (s.g() ? (s.limit() & 0xffffffffL) >>> 12 : s.limit()) & 0xfffff;
        long base = s.base() & 0xffffffffL;
        return (limit & 0xffff) | (base & 0xffffff) << 16 | ((long) s.descriptorFlags() & 0xffffffffL) << 32
                | (limit >>> 16) << 48 | (base >>> 24) << 56;
    }

    /**
     * The segment, table and control registers of this entry on a CPU whose state was
     * {@code resetState} (as KVM created it): LDT, CR2, CR8, the APIC base and the pending
     * interrupt bitmap are kept from it.
     */
    public Sregs sregs(Sregs resetState) {
        return new Sregs(code, data, data, data, data, data, BOOT_TR, resetState.ldt(), gdt, NO_IDT, cr0,
                resetState.cr2(), cr3, cr4, resetState.cr8(), efer, resetState.apicBase(),
                resetState.interruptBitmap());
    }

    /** The registers and segment registers of this entry, as a state to write to the boot CPU. */
    public CpuImage cpuImage(Sregs resetState) {
        return CpuImage.empty().withRegs(regs).withSregs(sregs(resetState));
    }
}
