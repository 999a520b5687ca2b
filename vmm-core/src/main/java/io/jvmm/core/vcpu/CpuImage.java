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
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A state to put a CPU in (its power-on, reset or start state), as data: each non-null part is
 * written, null parts are left as they are. Built by the machine's reset recipes and written by
 * the vCPU's own thread with {@link VcpuState#write(CpuImage, WriteGrant)}.
 *
 * @param eventFields which parts of {@code events} are meant (EVENTS plus any of NMI_PENDING,
 *     SIPI_VECTOR, SMM); ignored when {@code events} is null
 * @param tsc the TSC to write, or null to leave it
 */
public record CpuImage(Regs regs, Sregs sregs, Fpu fpu, List<Xcr> xcrs, DebugRegs debugRegs, List<MsrEntry> msrs,
                       Long tsc, LapicState lapic, MpState mpState, VcpuEvents events, Set<StateField> eventFields) {
    public CpuImage {
        xcrs = xcrs == null ? null : List.copyOf(xcrs);
        msrs = msrs == null ? null : List.copyOf(msrs);
        // An EnumSet, not Set.copyOf: that set's iterator probes its table in a read-only loop,
        // which the model check (VcpuProtocolModelCheckTest) takes for a spin-wait at every element.
        eventFields = eventFields == null || eventFields.isEmpty() ? Set.of()
                : Collections.unmodifiableSet(EnumSet.copyOf(eventFields));
    }

    /** An image that writes nothing; add parts with the {@code with*} methods. */
    public static CpuImage empty() {
        return new CpuImage(null, null, null, null, null, null, null, null, null, null, null);
    }

    public CpuImage withRegs(Regs r) {
        return new CpuImage(r, sregs, fpu, xcrs, debugRegs, msrs, tsc, lapic, mpState, events, eventFields);
    }

    public CpuImage withSregs(Sregs s) {
        return new CpuImage(regs, s, fpu, xcrs, debugRegs, msrs, tsc, lapic, mpState, events, eventFields);
    }

    public CpuImage withFpu(Fpu f, List<Xcr> x) {
        return new CpuImage(regs, sregs, f, x, debugRegs, msrs, tsc, lapic, mpState, events, eventFields);
    }

    public CpuImage withDebugRegs(DebugRegs d) {
        return new CpuImage(regs, sregs, fpu, xcrs, d, msrs, tsc, lapic, mpState, events, eventFields);
    }

    public CpuImage withMsrs(List<MsrEntry> m) {
        return new CpuImage(regs, sregs, fpu, xcrs, debugRegs, m, tsc, lapic, mpState, events, eventFields);
    }

    public CpuImage withTsc(long t) {
        return new CpuImage(regs, sregs, fpu, xcrs, debugRegs, msrs, t, lapic, mpState, events, eventFields);
    }

    public CpuImage withLapic(LapicState l) {
        return new CpuImage(regs, sregs, fpu, xcrs, debugRegs, msrs, tsc, l, mpState, events, eventFields);
    }

    public CpuImage withMpState(MpState m) {
        return new CpuImage(regs, sregs, fpu, xcrs, debugRegs, msrs, tsc, lapic, m, events, eventFields);
    }

    /** The events block, all of it: injection state, NMI pending and the SIPI vector (a reset's events). */
    public CpuImage withResetEvents(VcpuEvents e) {
        return new CpuImage(regs, sregs, fpu, xcrs, debugRegs, msrs, tsc, lapic, mpState, e,
                EnumSet.of(StateField.EVENTS, StateField.NMI_PENDING, StateField.SIPI_VECTOR));
    }
}
