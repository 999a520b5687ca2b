package io.jvmm.kvm;

import com.sun.jna.Pointer;
import io.jvmm.kvm.KvmAbi.KvmSregs;

/** Segment, descriptor-table and control registers ({@code struct kvm_sregs}). */
public record Sregs(Segment cs, Segment ds, Segment es, Segment fs, Segment gs, Segment ss,
                    Segment tr, Segment ldt, DescriptorTable gdt, DescriptorTable idt,
                    long cr0, long cr2, long cr3, long cr4, long cr8, long efer, long apicBase,
                    long[] interruptBitmap) {

    /** CR0.PE: protected mode. */
    public static final long CR0_PE = 1L;
    /** CR0.ET: always 1 on anything newer than a 386. */
    public static final long CR0_ET = 1L << 4;
    /** CR0.PG: paging. */
    public static final long CR0_PG = 1L << 31;
    /** EFER.LMA: long mode active. */
    public static final long EFER_LMA = 1L << 10;

    public Sregs {
        interruptBitmap = interruptBitmap.clone();
    }

    @Override
    public long[] interruptBitmap() {
        return interruptBitmap.clone();
    }

    /** A copy with new segment registers (all six data/code ones). */
    public Sregs withSegments(Segment newCs, Segment data) {
        return new Sregs(newCs, data, data, data, data, data, tr, ldt, gdt, idt, cr0, cr2, cr3, cr4, cr8, efer,
                apicBase, interruptBitmap);
    }

    /** A copy with new GDTR and IDTR. */
    public Sregs withTables(DescriptorTable newGdt, DescriptorTable newIdt) {
        return new Sregs(cs, ds, es, fs, gs, ss, tr, ldt, newGdt, newIdt, cr0, cr2, cr3, cr4, cr8, efer, apicBase,
                interruptBitmap);
    }

    /** A copy with new CR0. */
    public Sregs withCr0(long newCr0) {
        return new Sregs(cs, ds, es, fs, gs, ss, tr, ldt, gdt, idt, newCr0, cr2, cr3, cr4, cr8, efer, apicBase,
                interruptBitmap);
    }

    /** True when the CPU runs 64-bit code (EFER.LMA and CS.L). */
    public boolean longMode() {
        return (efer & EFER_LMA) != 0 && cs.l();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Sregs x && x.cs.equals(cs) && x.ds.equals(ds) && x.es.equals(es) && x.fs.equals(fs)
                && x.gs.equals(gs) && x.ss.equals(ss) && x.tr.equals(tr) && x.ldt.equals(ldt) && x.gdt.equals(gdt)
                && x.idt.equals(idt) && x.cr0 == cr0 && x.cr2 == cr2 && x.cr3 == cr3 && x.cr4 == cr4 && x.cr8 == cr8
                && x.efer == efer && x.apicBase == apicBase
                && java.util.Arrays.equals(x.interruptBitmap, interruptBitmap);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(cs, ss, cr0, cr3, efer) * 31 + java.util.Arrays.hashCode(interruptBitmap);
    }

    static Sregs read(Pointer p) {
        long[] bitmap = new long[4];
        for (int i = 0; i < 4; i++) {
            bitmap[i] = p.getLong(KvmSregs.INTERRUPT_BITMAP + 8L * i);
        }
        return new Sregs(Segment.read(p, KvmSregs.CS), Segment.read(p, KvmSregs.DS), Segment.read(p, KvmSregs.ES),
                Segment.read(p, KvmSregs.FS), Segment.read(p, KvmSregs.GS), Segment.read(p, KvmSregs.SS),
                Segment.read(p, KvmSregs.TR), Segment.read(p, KvmSregs.LDT),
                DescriptorTable.read(p, KvmSregs.GDT), DescriptorTable.read(p, KvmSregs.IDT),
                p.getLong(KvmSregs.CR0), p.getLong(KvmSregs.CR2), p.getLong(KvmSregs.CR3), p.getLong(KvmSregs.CR4),
                p.getLong(KvmSregs.CR8), p.getLong(KvmSregs.EFER), p.getLong(KvmSregs.APIC_BASE), bitmap);
    }

    void write(Pointer p) {
        cs.write(p, KvmSregs.CS);
        ds.write(p, KvmSregs.DS);
        es.write(p, KvmSregs.ES);
        fs.write(p, KvmSregs.FS);
        gs.write(p, KvmSregs.GS);
        ss.write(p, KvmSregs.SS);
        tr.write(p, KvmSregs.TR);
        ldt.write(p, KvmSregs.LDT);
        gdt.write(p, KvmSregs.GDT);
        idt.write(p, KvmSregs.IDT);
        p.setLong(KvmSregs.CR0, cr0);
        p.setLong(KvmSregs.CR2, cr2);
        p.setLong(KvmSregs.CR3, cr3);
        p.setLong(KvmSregs.CR4, cr4);
        p.setLong(KvmSregs.CR8, cr8);
        p.setLong(KvmSregs.EFER, efer);
        p.setLong(KvmSregs.APIC_BASE, apicBase);
        for (int i = 0; i < 4; i++) {
            p.setLong(KvmSregs.INTERRUPT_BITMAP + 8L * i, interruptBitmap[i]);
        }
    }
}
