package io.jvmm.core.vcpu;

import io.jvmm.kvm.DebugRegs;
import io.jvmm.kvm.Fpu;
import io.jvmm.kvm.LapicState;
import io.jvmm.kvm.MpState;
import io.jvmm.kvm.MsrEntry;
import io.jvmm.kvm.Regs;
import io.jvmm.kvm.Sregs;
import io.jvmm.kvm.VcpuEvents;
import io.jvmm.kvm.Xcr;
import java.util.List;

/**
 * Everything one read of a vCPU returned, taken on the vCPU's own thread while it was out of the
 * guest, in the safe order: events, then MP state, then registers. Immutable.
 */
public record VcpuSnapshot(int cpuIndex, int apicId, VcpuEvents events, MpState mpState, Regs regs, Sregs sregs,
                           Fpu fpu, List<Xcr> xcrs, DebugRegs debugRegs, List<MsrEntry> msrs, long tsc,
                           LapicState lapic) {
    public VcpuSnapshot {
        xcrs = List.copyOf(xcrs);
        msrs = List.copyOf(msrs);
    }

    /** The value of MSR {@code index}, or {@code fallback} if it was not read. */
    public long msr(int index, long fallback) {
        for (MsrEntry e : msrs) {
            if (e.index() == index) {
                return e.data();
            }
        }
        return fallback;
    }

    /** XCR0, or 1 (x87 only) if none was read. */
    public long xcr0() {
        for (Xcr x : xcrs) {
            if (x.index() == 0) {
                return x.value();
            }
        }
        return 1;
    }
}
