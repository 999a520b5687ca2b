package io.jvmm.kvm;

import com.sun.jna.Pointer;
import io.jvmm.kvm.KvmAbi.KvmCpuidEntry2;

/** One CPUID leaf and subleaf with its four result registers ({@code struct kvm_cpuid_entry2}). */
public record CpuidEntry(int function, int index, int flags, int eax, int ebx, int ecx, int edx) {

    /** True when the subleaf ({@code index}) selects this entry, i.e. KVM_CPUID_FLAG_SIGNIFCANT_INDEX. */
    public boolean indexSignificant() {
        return (flags & KvmCpuidEntry2.FLAG_SIGNIFICANT_INDEX) != 0;
    }

    /** A copy with new result registers. */
    public CpuidEntry withRegisters(int newEax, int newEbx, int newEcx, int newEdx) {
        return new CpuidEntry(function, index, flags, newEax, newEbx, newEcx, newEdx);
    }

    /** The {@code nent} entries of the {@code kvm_cpuid2} array at {@code p}. */
    static java.util.List<CpuidEntry> readAll(Pointer p) {
        int n = p.getInt(KvmAbi.KvmCpuid2.NENT);
        java.util.List<CpuidEntry> out = new java.util.ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(read(p, KvmAbi.KvmCpuid2.ENTRIES + (long) i * KvmCpuidEntry2.SIZE));
        }
        return out;
    }

    static CpuidEntry read(Pointer p, long off) {
        return new CpuidEntry(p.getInt(off + KvmCpuidEntry2.FUNCTION), p.getInt(off + KvmCpuidEntry2.INDEX),
                p.getInt(off + KvmCpuidEntry2.FLAGS), p.getInt(off + KvmCpuidEntry2.EAX),
                p.getInt(off + KvmCpuidEntry2.EBX), p.getInt(off + KvmCpuidEntry2.ECX),
                p.getInt(off + KvmCpuidEntry2.EDX));
    }

    void write(Pointer p, long off) {
        p.setInt(off + KvmCpuidEntry2.FUNCTION, function);
        p.setInt(off + KvmCpuidEntry2.INDEX, index);
        p.setInt(off + KvmCpuidEntry2.FLAGS, flags);
        p.setInt(off + KvmCpuidEntry2.EAX, eax);
        p.setInt(off + KvmCpuidEntry2.EBX, ebx);
        p.setInt(off + KvmCpuidEntry2.ECX, ecx);
        p.setInt(off + KvmCpuidEntry2.EDX, edx);
    }

    @Override
    public String toString() {
        return String.format("CpuidEntry[0x%x.%d eax=%08x ebx=%08x ecx=%08x edx=%08x]", function, index, eax, ebx,
                ecx, edx);
    }
}
