package io.jvmm.core.boot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.core.memory.GuestMemory;
import io.jvmm.core.vcpu.CpuImage;
import io.jvmm.kvm.DescriptorTable;
import io.jvmm.kvm.Regs;
import io.jvmm.kvm.Segment;
import io.jvmm.kvm.Sregs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * KernelEntry: the GDT it writes (the descriptors the Linux boot protocol asks for at 0x10 and
 * 0x18), the identity-mapping page tables of the 64-bit entry, and the registers derived from a
 * CPU's reset state.
 */
class KernelEntryTest {
    private GuestMemory memory;

    @BeforeEach
    void map() {
        memory = GuestMemory.allocate(64L << 20);
    }

    @AfterEach
    void unmap() {
        memory.close();
    }

    @Test
    void descriptorsEncodeTheSegmentsHiddenParts() {
        assertEquals(0x00cf9b000000ffffL, KernelEntry.descriptor(Segment.flatCode32(0x10)));
        assertEquals(0x00cf93000000ffffL, KernelEntry.descriptor(Segment.flatData32(0x18)));
        assertEquals(0x00af9b000000ffffL, KernelEntry.descriptor(KernelEntry.code64()));
        // base and a byte-granular limit land in their split fields
        Segment odd = new Segment(0x12345678L, 0xabcde, 0, 0x3, true, 0, true, true, false, false, false, false);
        assertEquals(0x124a9334_5678bcdeL, KernelEntry.descriptor(odd));
    }

    @Test
    void protectedModeEntryWritesA32BitGdt() {
        Regs regs = Regs.reset().withRip(0x100000);
        KernelEntry e = KernelEntry.protectedMode(memory, regs);
        assertEquals(0, memory.readU64(0x1000));
        assertEquals(0, memory.readU64(0x1008));
        assertEquals(0x00cf9b000000ffffL, memory.readU64(0x1010), "__BOOT_CS: 32-bit flat code");
        assertEquals(0x00cf93000000ffffL, memory.readU64(0x1018), "__BOOT_DS: flat data");
        assertEquals(new DescriptorTable(0x1000, 31), e.gdt());
        assertEquals(Sregs.CR0_PE | Sregs.CR0_ET, e.cr0());
        assertEquals(0, e.cr3());
        assertEquals(0, e.cr4());
        assertEquals(0, e.efer());
        assertSame(regs, e.regs());
        assertEquals(0, memory.readU64(0x9000), "no page tables for a 32-bit entry");
    }

    @Test
    void longModeEntryWritesA64BitGdtAndIdentityMapsTheFirstGib() {
        KernelEntry e = KernelEntry.longMode(memory, Regs.reset());
        assertEquals(0x00af9b000000ffffL, memory.readU64(0x1010), "__BOOT_CS: 64-bit code (L=1, D=0)");
        assertEquals(0x00cf93000000ffffL, memory.readU64(0x1018));
        assertEquals(0x80000011L, e.cr0(), "PE | ET | PG");
        assertEquals(0x20, e.cr4(), "PAE");
        assertEquals(0x500, e.efer(), "LME | LMA");
        assertEquals(0x9000, e.cr3());
        assertEquals(0xa003, memory.readU64(0x9000), "PML4[0] -> PDPT, present, writable");
        assertEquals(0xb003, memory.readU64(0xa000), "PDPT[0] -> PD");
        for (int i = 1; i < 512; i++) {
            assertEquals(0, memory.readU64(0x9000 + 8L * i), "PML4[" + i + "]");
            assertEquals(0, memory.readU64(0xa000 + 8L * i), "PDPT[" + i + "]");
        }
        for (int i = 0; i < 512; i++) {
            assertEquals((long) i << 21 | 0x83, memory.readU64(0xb000 + 8L * i), "PD[" + i + "]: 2 MiB page");
        }
        assertEquals(1L << 30, 512L << 21, "the PD covers exactly 1 GiB");
    }

    /** A walk of the 4-level tables as the MMU does it for a 2 MiB page. */
    @Test
    void pageWalkTranslatesVirtualToTheSamePhysicalAddress() {
        KernelEntry e = KernelEntry.longMode(memory, Regs.reset());
        for (long va : new long[] {0, 0x7000, 0x100200, 0x1234567, (1L << 30) - 1}) {
            long pml4e = memory.readU64(e.cr3() + 8 * ((va >> 39) & 511));
            long pdpte = memory.readU64((pml4e & ~0xfffL) + 8 * ((va >> 30) & 511));
            long pde = memory.readU64((pdpte & ~0xfffL) + 8 * ((va >> 21) & 511));
            assertTrue((pml4e & pdpte & pde & 1) == 1, "present");
            assertTrue((pde & 0x80) != 0, "PS");
            assertEquals(va, (pde & ~0x1fffffL & 0xfffffffffL) | (va & 0x1fffff));
        }
    }

    @Test
    void sregsKeepTheResetStatesLdtApicBaseAndPendingInterrupts() {
        Sregs reset = BootTesting.resetSregs();
        KernelEntry e = KernelEntry.longMode(memory, Regs.reset());
        Sregs s = e.sregs(reset);
        assertTrue(s.longMode());
        assertEquals(KernelEntry.code64(), s.cs());
        for (Segment d : new Segment[] {s.ds(), s.es(), s.fs(), s.gs(), s.ss()}) {
            assertEquals(Segment.flatData32(0x18), d);
        }
        assertEquals(reset.ldt(), s.ldt());
        assertEquals(reset.apicBase(), s.apicBase());
        assertEquals(reset.cr2(), s.cr2());
        assertArrayEquals(reset.interruptBitmap(), s.interruptBitmap());
        assertEquals(new Segment(0, 0x67, 0, 0xb, true, 0, false, false, false, false, false, false), s.tr());
        assertEquals(new DescriptorTable(0, 0), s.idt());
        assertEquals(new DescriptorTable(0x1000, 31), s.gdt());
        assertEquals(0x9000, s.cr3());
        assertEquals(0x20, s.cr4());
        assertEquals(0x500, s.efer());
    }

    @Test
    void protectedModeSregsAreNotLongMode() {
        Sregs s = KernelEntry.protectedMode(memory, Regs.reset()).sregs(BootTesting.resetSregs());
        assertFalse(s.longMode());
        assertEquals(Segment.flatCode32(0x10), s.cs());
        assertEquals(0x11, s.cr0(), "CD and NW of the reset state are cleared");
    }

    @Test
    void cpuImageCarriesRegsAndSregsOnly() {
        Regs regs = Regs.reset().withRip(0x100200);
        KernelEntry e = KernelEntry.longMode(memory, regs);
        CpuImage image = e.cpuImage(BootTesting.resetSregs());
        assertEquals(regs, image.regs());
        assertEquals(e.sregs(BootTesting.resetSregs()), image.sregs());
        assertEquals(null, image.fpu());
        assertEquals(null, image.msrs());
        assertEquals(null, image.lapic());
        assertEquals(null, image.mpState());
    }
}
