package io.jvmm.kvm;

import com.sun.jna.Pointer;
import io.jvmm.kvm.KvmAbi.KvmDtable;

/** GDTR or IDTR ({@code struct kvm_dtable}). */
public record DescriptorTable(long base, int limit) {
    static DescriptorTable read(Pointer p, long off) {
        return new DescriptorTable(p.getLong(off + KvmDtable.BASE), p.getShort(off + KvmDtable.LIMIT) & 0xffff);
    }

    void write(Pointer p, long off) {
        p.setLong(off + KvmDtable.BASE, base);
        p.setShort(off + KvmDtable.LIMIT, (short) limit);
    }
}
