package io.jvmm.core.vcpu;

import io.jvmm.kvm.DebugRegs;
import io.jvmm.kvm.Fpu;
import io.jvmm.kvm.KvmAbi.KvmVcpuEvents;
import io.jvmm.kvm.LapicState;
import io.jvmm.kvm.MpState;
import io.jvmm.kvm.MsrEntry;
import io.jvmm.kvm.Regs;
import io.jvmm.kvm.Sregs;
import io.jvmm.kvm.VcpuEvents;
import io.jvmm.kvm.Xcr;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A vCPU's register state as user space sees it, with "read from KVM" kept apart from
 * "modified here": {@link #read()} fills a cache and never marks anything for writing, the
 * {@code set*} methods record modifications, and only {@link #flush} writes, carrying only what
 * the {@link WritebackPolicy} allows at the requested {@link WritebackLevel}.
 *
 * <p>Every write names a {@link WriteGrant}, checked here before anything reaches the kernel: the
 * level is never taken on the caller's word. Confined to the vCPU's own thread (the vCPU loop
 * calls {@link #flush} with {@link WriteGrant#RUNTIME} before every KVM_RUN and
 * {@link #invalidate} right after), so it needs no lock. The cache is dropped whenever the guest
 * may have run, and whenever this class changes the vCPU's state in the kernel itself.
 */
public final class VcpuState {
    /** The MSRs managed besides the TSC; those KVM does not list are left out at construction. */
    static final int[] MANAGED_MSRS = {MsrEntry.IA32_SYSENTER_CS, MsrEntry.IA32_SYSENTER_ESP,
        MsrEntry.IA32_SYSENTER_EIP, MsrEntry.IA32_PAT, MsrEntry.IA32_MISC_ENABLE, MsrEntry.STAR, MsrEntry.LSTAR,
        MsrEntry.CSTAR, MsrEntry.FMASK, MsrEntry.KERNEL_GS_BASE, MsrEntry.TSC_AUX};

    private final String name;
    private final int cpuIndex;
    private final VcpuBackend backend;
    private final WritebackPolicy policy;
    private final int[] msrIndices;
    private final boolean smmSupported;

    private VcpuSnapshot cache;
    private final EnumSet<StateField> modified = EnumSet.noneOf(StateField.class);
    /** A test policy's read copy that waits out {@link #heldEntries} more entries (see {@link WritebackPolicy#holdsReadsOverAnEntry}). */
    private final EnumSet<StateField> held = EnumSet.noneOf(StateField.class);
    private int heldEntries;
    private Regs regs;
    private Sregs sregs;
    private Fpu fpu;
    private List<Xcr> xcrs;
    private DebugRegs debugRegs;
    private List<MsrEntry> msrs;
    private long tsc;
    private VcpuEvents events;
    private MpState mpState;
    private LapicState lapic;

    /**
     * State of CPU {@code cpuIndex} behind {@code backend}.
     *
     * @param kvmMsrs the MSR indices KVM reports (KVM_GET_MSR_INDEX_LIST), or null to manage all of {@link #MANAGED_MSRS}
     */
    public VcpuState(String name, int cpuIndex, VcpuBackend backend, WritebackPolicy policy, int[] kvmMsrs,
                     boolean smmSupported) {
        this.name = name;
        this.cpuIndex = cpuIndex;
        this.backend = backend;
        this.policy = policy;
        this.smmSupported = smmSupported;
        this.msrIndices = managedMsrs(kvmMsrs);
    }

    /** The managed MSRs (TSC excepted) that {@code kvmMsrs} lists; all of them if it is null. */
    public static int[] managedMsrs(int[] kvmMsrs) {
        if (kvmMsrs != null && kvmMsrs.length == 0) {
            // Nothing to keep. Also keeps VcpuState's constructor free of an 11-turn loop, which the
            // model check (VcpuProtocolModelCheckTest) would take for a spin: see that test.
            return new int[0];
        }
        List<Integer> keep = new ArrayList<>();
        for (int m : MANAGED_MSRS) {
            if (kvmMsrs == null || contains(kvmMsrs, m)) {
                keep.add(m);
            }
        }
        return keep.stream().mapToInt(Integer::intValue).toArray();
    }

    private static boolean contains(int[] a, int v) {
        for (int x : a) {
            if (x == v) {
                return true;
            }
        }
        return false;
    }

    /** The policy in force. */
    public WritebackPolicy policy() {
        return policy;
    }

    /**
     * Reads the whole state in the safe order (events, MP state, then registers) or returns the
     * cached copy. Never writes. Under a policy whose reads mark state modified, the read values
     * become pending writes, as in a VMM that marks a vCPU dirty on every synchronization.
     */
    public VcpuSnapshot read() {
        if (cache == null) {
            VcpuEvents ev = backend.getEvents();
            MpState mp = backend.getMpState();
            Regs r = backend.getRegs();
            Sregs s = backend.getSregs();
            Fpu f = backend.getFpu();
            List<Xcr> x = backend.getXcrs();
            DebugRegs d = backend.getDebugRegs();
            int[] withTsc = new int[msrIndices.length + 1];
            System.arraycopy(msrIndices, 0, withTsc, 0, msrIndices.length);
            withTsc[msrIndices.length] = MsrEntry.IA32_TSC;
            List<MsrEntry> all = backend.getMsrs(withTsc);
            List<MsrEntry> managed = new ArrayList<>();
            long t = 0;
            for (MsrEntry e : all) {
                if (e.index() == MsrEntry.IA32_TSC) {
                    t = e.data();
                } else {
                    managed.add(e);
                }
            }
            LapicState l = backend.getLapic();
            cache = new VcpuSnapshot(cpuIndex, backend.apicId(), ev, mp, r, s, f, x, d, managed, t, l);
            Set<StateField> marked = policy.markedOnRead();
            if (!marked.isEmpty() && held.isEmpty()) {
                regs = r;
                sregs = s;
                fpu = f;
                xcrs = x;
                debugRegs = d;
                msrs = managed;
                tsc = t;
                events = ev;
                mpState = mp;
                lapic = l;
                EnumSet<StateField> into = modified;
                if (policy.holdsReadsOverAnEntry()) {
                    into = held;
                    heldEntries = 1;
                }
                into.addAll(marked);
                if (!smmSupported) {
                    into.remove(StateField.SMM);
                }
            }
        }
        return cache;
    }

    /** Whether a modification waits for {@link #flush} (a test policy's held read copy included). */
    public boolean hasModifications() {
        return !modified.isEmpty() || !held.isEmpty();
    }

    /** Drops the cache: the guest is about to run, or has run. */
    public void invalidate() {
        cache = null;
    }

    /** The fields with pending modifications. */
    public Set<StateField> modifiedFields() {
        return Collections.unmodifiableSet(EnumSet.copyOf(modified));
    }

    private void mark(StateField f) {
        modified.add(f);
        cache = null;
    }

    /** Sets the general-purpose registers. */
    public void setRegs(Regs r) {
        regs = r;
        mark(StateField.REGS);
    }

    /** Sets segment and control registers. */
    public void setSregs(Sregs s) {
        sregs = s;
        mark(StateField.SREGS);
    }

    /** Sets x87/SSE state. */
    public void setFpu(Fpu f) {
        fpu = f;
        mark(StateField.FPU);
    }

    /** Sets the XCRs. */
    public void setXcrs(List<Xcr> x) {
        xcrs = List.copyOf(x);
        mark(StateField.XCRS);
    }

    /** Sets the debug registers. */
    public void setDebugRegs(DebugRegs d) {
        debugRegs = d;
        mark(StateField.DEBUGREGS);
    }

    /** Sets managed MSRs (not the TSC; see {@link #setTsc}). */
    public void setMsrs(List<MsrEntry> m) {
        for (MsrEntry e : m) {
            if (e.index() == MsrEntry.IA32_TSC) {
                throw new IllegalArgumentException("The TSC is its own field: use setTsc (FULL level only)");
            }
        }
        msrs = List.copyOf(m);
        mark(StateField.MSRS);
    }

    /** Sets the TSC. */
    public void setTsc(long value) {
        tsc = value;
        mark(StateField.TSC);
    }

    /**
     * Sets the events block. {@code fields} says which parts are meant: {@link StateField#EVENTS}
     * for the injection state, plus any of NMI_PENDING, SIPI_VECTOR, SMM.
     */
    public void setEvents(VcpuEvents e, Set<StateField> fields) {
        for (StateField f : fields) {
            if (!f.isEventField()) {
                throw new IllegalArgumentException(f + " is not part of the vCPU events");
            }
        }
        events = e;
        mark(StateField.EVENTS);
        for (StateField f : fields) {
            if (f != StateField.SMM || smmSupported) {
                mark(f);
            }
        }
    }

    /** Sets the MP state. */
    public void setMpState(MpState s) {
        mpState = s;
        mark(StateField.MP_STATE);
    }

    /** Records every part of {@code image} as modified and writes it under {@code grant}. */
    public void write(CpuImage image, WriteGrant grant) {
        if (image.sregs() != null) {
            setSregs(image.sregs());
        }
        if (image.regs() != null) {
            setRegs(image.regs());
        }
        if (image.fpu() != null) {
            setFpu(image.fpu());
        }
        if (image.xcrs() != null) {
            setXcrs(image.xcrs());
        }
        if (image.debugRegs() != null) {
            setDebugRegs(image.debugRegs());
        }
        if (image.msrs() != null) {
            setMsrs(image.msrs());
        }
        if (image.tsc() != null) {
            setTsc(image.tsc());
        }
        if (image.lapic() != null) {
            setLapic(image.lapic());
        }
        if (image.mpState() != null) {
            setMpState(image.mpState());
        }
        if (image.events() != null) {
            setEvents(image.events(), image.eventFields());
        }
        flush(grant);
    }

    /**
     * The NMI button for this CPU, as on a PC: an NMI through the local APIC's LINT1 pin, delivered
     * only if the LVT LINT1 entry is unmasked and set to NMI delivery (KVM_GET_LAPIC, then KVM_NMI).
     * The cache is dropped, so the next read shows the pending NMI.
     *
     * @return whether the NMI was delivered
     */
    public boolean nmiThroughLint1() {
        boolean open = backend.getLapic().lvtDelivers(LapicState.REG_LVT_LINT1, LapicState.DM_NMI);
        if (open) {
            backend.nmi();
            cache = null;
        }
        return open;
    }

    /** Sets the local APIC registers. */
    public void setLapic(LapicState l) {
        lapic = l;
        mark(StateField.LAPIC);
    }

    /**
     * Writes the pending modifications under {@code grant}, then forgets them.
     *
     * @throws WritebackException if the grant no longer holds, or a modified field may not be
     *     written at its level; nothing is written then
     */
    public void flush(WriteGrant grant) {
        if (!held.isEmpty() && grant.level() == WritebackLevel.RUNTIME && heldEntries-- == 0) {
            modified.addAll(held);
            held.clear();
        }
        if (modified.isEmpty()) {
            return;
        }
        WritebackLevel level = grant.level();
        if (policy.honoursGrants() && !grant.holds()) {
            WritebackException e = new WritebackException(name, grant);
            modified.clear();
            throw e;
        }
        for (StateField f : modified) {
            if (!policy.writes(f, level)) {
                throw new WritebackException(name, f, level);
            }
        }
        if (modified.contains(StateField.SREGS)) {
            backend.setSregs(sregs);
        }
        if (modified.contains(StateField.REGS)) {
            backend.setRegs(regs);
        }
        if (modified.contains(StateField.FPU)) {
            backend.setFpu(fpu);
        }
        if (modified.contains(StateField.XCRS)) {
            backend.setXcrs(xcrs);
        }
        List<MsrEntry> msrWrite = new ArrayList<>();
        if (modified.contains(StateField.MSRS)) {
            msrWrite.addAll(msrs);
        }
        if (modified.contains(StateField.TSC)) {
            msrWrite.add(new MsrEntry(MsrEntry.IA32_TSC, tsc));
        }
        if (!msrWrite.isEmpty()) {
            backend.setMsrs(msrWrite);
        }
        if (modified.contains(StateField.LAPIC)) {
            backend.setLapic(lapic);
        }
        if (modified.contains(StateField.MP_STATE)) {
            backend.setMpState(mpState);
        }
        if (modified.contains(StateField.EVENTS)) {
            int flags = KvmVcpuEvents.VALID_SHADOW;
            if (modified.contains(StateField.NMI_PENDING)) {
                flags |= KvmVcpuEvents.VALID_NMI_PENDING;
            }
            if (modified.contains(StateField.SIPI_VECTOR)) {
                flags |= KvmVcpuEvents.VALID_SIPI_VECTOR;
            }
            if (modified.contains(StateField.SMM) && smmSupported) {
                flags |= KvmVcpuEvents.VALID_SMM;
            }
            backend.setEvents(events.withFlags(flags));
        }
        if (modified.contains(StateField.DEBUGREGS)) {
            backend.setDebugRegs(debugRegs);
        }
        modified.clear();
        cache = null;
    }
}
