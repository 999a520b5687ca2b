package io.jvmm.kvm;

import com.sun.jna.Pointer;
import io.jvmm.kvm.KvmAbi.KvmSegment;

/** A segment register with its hidden descriptor cache ({@code struct kvm_segment}). */
public record Segment(long base, int limit, int selector, int type, boolean present, int dpl,
                      boolean db, boolean s, boolean l, boolean g, boolean avl, boolean unusable) {

    /** A flat 4 GiB 32-bit code segment (execute/read, accessed), as Multiboot requires in CS. */
    public static Segment flatCode32(int selector) {
        return new Segment(0, 0xffffffff, selector, 0xb, true, 0, true, true, false, true, false, false);
    }

    /** A flat 4 GiB 32-bit data segment (read/write, accessed). */
    public static Segment flatData32(int selector) {
        return new Segment(0, 0xffffffff, selector, 0x3, true, 0, true, true, false, true, false, false);
    }

    /** The descriptor flags word as QEMU prints it: the high dword of a GDT entry, less base and limit. */
    public int descriptorFlags() {
        int f = (type & 0xf) << 8;
        f |= (s ? 1 : 0) << 12;
        f |= (dpl & 3) << 13;
        f |= (present ? 1 : 0) << 15;
        f |= (avl ? 1 : 0) << 20;
        f |= (l ? 1 : 0) << 21;
        f |= (db ? 1 : 0) << 22;
        f |= (g ? 1 : 0) << 23;
        return f;
    }

    static Segment read(Pointer p, long off) {
        return new Segment(p.getLong(off + KvmSegment.BASE), p.getInt(off + KvmSegment.LIMIT),
                p.getShort(off + KvmSegment.SELECTOR) & 0xffff, p.getByte(off + KvmSegment.TYPE) & 0xff,
                p.getByte(off + KvmSegment.PRESENT) != 0, p.getByte(off + KvmSegment.DPL) & 0xff,
                p.getByte(off + KvmSegment.DB) != 0, p.getByte(off + KvmSegment.S) != 0,
                p.getByte(off + KvmSegment.L) != 0, p.getByte(off + KvmSegment.G) != 0,
                p.getByte(off + KvmSegment.AVL) != 0, p.getByte(off + KvmSegment.UNUSABLE) != 0);
    }

    void write(Pointer p, long off) {
        p.setLong(off + KvmSegment.BASE, base);
        p.setInt(off + KvmSegment.LIMIT, limit);
        p.setShort(off + KvmSegment.SELECTOR, (short) selector);
        p.setByte(off + KvmSegment.TYPE, (byte) type);
        p.setByte(off + KvmSegment.PRESENT, (byte) (present ? 1 : 0));
        p.setByte(off + KvmSegment.DPL, (byte) dpl);
        p.setByte(off + KvmSegment.DB, (byte) (db ? 1 : 0));
        p.setByte(off + KvmSegment.S, (byte) (s ? 1 : 0));
        p.setByte(off + KvmSegment.L, (byte) (l ? 1 : 0));
        p.setByte(off + KvmSegment.G, (byte) (g ? 1 : 0));
        p.setByte(off + KvmSegment.AVL, (byte) (avl ? 1 : 0));
        p.setByte(off + KvmSegment.UNUSABLE, (byte) (unusable ? 1 : 0));
    }
}
