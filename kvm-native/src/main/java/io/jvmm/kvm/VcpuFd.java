package io.jvmm.kvm;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.jvmm.kvm.KvmAbi.KvmCpuid2;
import io.jvmm.kvm.KvmAbi.KvmCpuidEntry2;
import io.jvmm.kvm.KvmAbi.KvmDebugregs;
import io.jvmm.kvm.KvmAbi.KvmFpu;
import io.jvmm.kvm.KvmAbi.KvmLapicState;
import io.jvmm.kvm.KvmAbi.KvmMpState;
import io.jvmm.kvm.KvmAbi.KvmMsrEntry;
import io.jvmm.kvm.KvmAbi.KvmMsrs;
import io.jvmm.kvm.KvmAbi.KvmRegs;
import io.jvmm.kvm.KvmAbi.KvmSignalMask;
import io.jvmm.kvm.KvmAbi.KvmSregs;
import io.jvmm.kvm.KvmAbi.KvmVcpuEvents;
import io.jvmm.kvm.KvmAbi.KvmXcr;
import io.jvmm.kvm.KvmAbi.KvmXcrs;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * A vCPU file descriptor (from KVM_CREATE_VCPU) and its mmapped {@code kvm_run} page.
 *
 * <p><b>Threads.</b> KVM_RUN and the state ioctls are meant for the thread that runs the vCPU;
 * the one call made from other threads is {@link #kick()}, which gets that thread out of KVM_RUN
 * even when it sleeps in the kernel (a halted vCPU, an AP waiting for INIT): {@code tgkill} with
 * {@link #KICK_SIGNAL} makes KVM_RUN return EINTR, and {@code immediate_exit} is set as well, for
 * a kick that lands just before KVM_RUN. No Java code ever runs as a signal handler. How the
 * signal is consumed follows the {@link RunPath}:
 * <ul>
 *   <li>{@link RunPath#JNI}: the shim's C handler, which does nothing, is installed for the signal
 *       (once per process) and the signal is unblocked on the vCPU thread; it is consumed by that
 *       handler. KVM runs the guest with the thread's own mask, so an entry costs no mask swap.
 *   <li>{@link RunPath#JNA} (no native code of our own): the vCPU thread blocks the signal and
 *       hands KVM a mask with it unblocked for the duration of KVM_RUN (KVM_SET_SIGNAL_MASK); the
 *       kernel restores the blocking mask before returning to user space, so the signal stays
 *       pending and is consumed with a zero-timeout {@code sigtimedwait}. The kernel swaps the
 *       masks on every entry and exit, a fraction of a microsecond each time on a PVM host.
 * </ul>
 *
 * <p><b>Write accounting.</b> Every KVM_SET_* call on this vCPU is counted by ioctl name
 * ({@link #stateWrites()}), so tests can prove that reads never cause writes.
 */
public final class VcpuFd extends NativeFd {
    /**
     * The signal used for kicks: glibc's SIGRTMIN + 6. The JVM uses no real-time signals; glibc
     * reserves 32 and 33. Never delivered (blocked on vCPU threads, only unblocked inside KVM_RUN).
     */
    public static final int KICK_SIGNAL = 40;

    private static final int MAX_MSRS = 256;
    private static final int MAX_CPUID = 512;
    /** The largest argument {@link #scratch} holds: KVM_GET_MSRS with {@link #MAX_MSRS} entries, or an XSAVE image. */
    private static final int SCRATCH_SIZE = Math.max(KvmMsrs.SIZE + MAX_MSRS * KvmMsrEntry.SIZE,
            Math.max(KvmAbi.KvmXsave.SIZE, Math.max(KvmLapicState.SIZE, KvmXcrs.SIZE)));

    private final int id;
    private final Pointer runMapping;
    private final int runMappingSize;
    private final KvmRunPage run;
    private final Object kickLock = new Object();
    /** The bound thread's tid, 0 when no thread is bound. Guarded by kickLock. */
    private int kickTid;
    /** Whether the bound thread consumes kicks with a handler (true) or with sigtimedwait. Vcpu thread only. */
    private boolean kickHandled;
    private final Map<String, LongAdder> writes = new ConcurrentHashMap<>();
    /**
     * The argument of every state GET and SET but CPUID's: one buffer, allocated with the vCPU, since
     * a native allocation (and the cleaner it registers) per ioctl cost as much again as the ioctl
     * on a PVM host. Used only under its own monitor, so a read on the vCPU thread and one on a
     * monitor thread (of a vCPU whose thread has ended) never share it.
     */
    private final Memory scratch = new Memory(SCRATCH_SIZE);
    private final LongAdder kicks = new LongAdder();
    /** How {@link #run()} calls KVM_RUN. Set before the vCPU thread first runs (see {@link #useRunPath}). */
    private RunPath runPath = RunPath.preferred();

    VcpuFd(int fd, int id, int mmapSize) {
        super(fd, "VcpuFd " + id);
        this.id = id;
        this.runMappingSize = mmapSize;
        Pointer p;
        try {
            p = VmFd.mapRun(fd, mmapSize);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        this.runMapping = p;
        this.run = new KvmRunPage(p, mmapSize);
    }

    @Override
    protected void releaseResources() {
        synchronized (kickLock) {
            kickTid = 0;
        }
        if (runMapping != null) {
            LibC.munmap(runMapping, runMappingSize);
        }
    }

    /** The vCPU id given to KVM_CREATE_VCPU (the initial APIC ID unless CPUID says otherwise). */
    public int id() {
        return id;
    }

    /** How {@link #run()} calls KVM_RUN: {@link RunPath#preferred()} unless changed. */
    public RunPath runPath() {
        return runPath;
    }

    /**
     * Chooses how {@link #run()} calls KVM_RUN, for diagnosis and for measuring the difference.
     * Call before the thread that runs this vCPU starts (or on that thread).
     *
     * @throws IllegalStateException if {@code path} cannot be used in this process (the JNI shim
     *     did not load; the message says why)
     */
    public void useRunPath(RunPath path) {
        synchronized (kickLock) {
            if (kickTid != 0) {
                throw new IllegalStateException("choose the run path before a thread is bound for kicks");
            }
        }
        if (!path.isUsable()) {
            throw new IllegalStateException("KVM_RUN through " + path + " is not available: "
                    + RunPath.shimUnavailabilityCause());
        }
        this.runPath = path;
    }

    /** The kvm_run page of this vCPU. */
    public KvmRunPage runPage() {
        return run;
    }

    /**
     * KVM_RUN: enters the guest until the next exit that needs user space.
     *
     * @return the decoded exit; {@link VcpuExit#INTERRUPTED} after a kick (EINTR) or KVM_EXIT_INTR
     * @throws KvmException for any other failure, e.g. EFAULT
     */
    public VcpuExit run() {
        // Held for the whole call: a close meanwhile is deferred until KVM_RUN has returned and
        // the exit has been read from the kvm_run mapping, which the close unmaps.
        int f = acquire();
        try {
            int r;
            int err;
            if (runPath == RunPath.JNI) {
                r = RunShim.ioctl(f, KvmIoctls.KVM_RUN, 0L);
                err = r < 0 ? -r : 0;
            } else {
                r = LibC.ioctl(f, KvmIoctls.KVM_RUN, 0L);
                err = r < 0 ? LibC.errno() : 0;
            }
            run.setImmediateExit(false);
            if (r < 0) {
                if (err == Errno.EINTR.number() || err == Errno.EAGAIN.number()) {
                    if (!kickHandled) {
                        consumeKick();
                    }
                    VarHandle.fullFence();
                    return VcpuExit.INTERRUPTED;
                }
                throw new KvmException("KVM_RUN", err);
            }
            VarHandle.fullFence();
            return run.decode();
        } finally {
            release();
        }
    }

    /**
     * KVM_RUN with {@code kvm_run.immediate_exit} set: KVM first completes the instruction of the
     * last port or MMIO read exit (the answer given with {@link #completeIoIn} or
     * {@link #completeMmioRead} reaches the guest's registers), then returns EINTR without running
     * guest code (Documentation/virt/kvm/api.rst, "immediate_exit").
     *
     * @return normally {@link VcpuExit#INTERRUPTED}; another exit if completing the instruction needs one
     */
    public VcpuExit runImmediateExit() {
        acquire();
        try {
            run.setImmediateExit(true);
            return run();
        } finally {
            release();
        }
    }

    /** Answers the current {@link VcpuExit.IoIn}: {@code data} holds count items of size bytes, little-endian. */
    public void completeIoIn(byte[] data) {
        acquire();
        try {
            run.completeIoIn(data);
        } finally {
            release();
        }
    }

    /** Answers the current {@link VcpuExit.MmioRead} with the low {@code length} bytes of {@code value}. */
    public void completeMmioRead(long value) {
        acquire();
        try {
            run.completeMmioRead(value);
        } finally {
            release();
        }
    }

    // ---- kicks ----

    /**
     * Makes the calling thread the one {@link #kick()} interrupts, in the way the class comment
     * gives for this vCPU's {@link #runPath()}. Call on the vCPU thread before its first KVM_RUN,
     * after any {@link #useRunPath}.
     */
    public void bindKickToCurrentThread() {
        // glibc sigset_t: 1024 bits; signal n is bit n-1.
        Memory set = new Memory(LibC.GLIBC_SIGSET_BYTES);
        set.clear();
        setSignalBit(set, KICK_SIGNAL);
        if (runPath == RunPath.JNI) {
            int r = RunShim.installKickHandler(KICK_SIGNAL);
            if (r == -Errno.EBUSY.number()) {
                throw new KvmException("sigaction(" + KICK_SIGNAL + ")", "another handler is installed for signal "
                        + KICK_SIGNAL + ", which jvmm uses for kicks; remove it, or run with -D" + RunPath.PROPERTY
                        + "=jna (kicks by signal mask, slower exits)");
            }
            if (r < 0) {
                throw new KvmException("sigaction(" + KICK_SIGNAL + ")", -r);
            }
            int err = LibC.pthread_sigmask(LibC.SIG_UNBLOCK, set, null);
            if (err != 0) {
                throw new KvmException("pthread_sigmask", err);
            }
            kickHandled = true;
        } else {
            Memory old = new Memory(LibC.GLIBC_SIGSET_BYTES);
            old.clear();
            int err = LibC.pthread_sigmask(LibC.SIG_BLOCK, set, old);
            if (err != 0) {
                throw new KvmException("pthread_sigmask", err);
            }
            // The mask KVM installs while in the guest: the thread's old mask, kick signal unblocked.
            // kvm_signal_mask is a u32 length followed by the 8-byte kernel sigset (signals 1..64).
            Memory m = new Memory(KvmSignalMask.SIZE + KvmSignalMask.KERNEL_SIGSET_BYTES);
            m.setInt(KvmSignalMask.LEN, KvmSignalMask.KERNEL_SIGSET_BYTES);
            long kernelMask = old.getLong(0) & ~(1L << (KICK_SIGNAL - 1));
            m.setLong(KvmSignalMask.SIGSET, kernelMask);
            ioctl("KVM_SET_SIGNAL_MASK", KvmIoctls.KVM_SET_SIGNAL_MASK, m);
            kickHandled = false;
        }
        synchronized (kickLock) {
            kickTid = LibC.gettid();
        }
    }

    /**
     * Stops kicks from reaching the calling thread; call before the vCPU thread ends, so that a
     * kick can never hit a thread that has since reused the tid.
     */
    public void unbindKick() {
        synchronized (kickLock) {
            kickTid = 0;
        }
        if (!kickHandled) {
            consumeKick();
        }
    }

    /**
     * Gets the bound thread out of KVM_RUN as soon as possible: sets {@code immediate_exit} and
     * sends {@link #KICK_SIGNAL} with tgkill. Safe from any thread; does nothing if no thread is
     * bound. Returns whether a signal was sent.
     */
    public boolean kick() {
        synchronized (kickLock) {
            if (kickTid == 0 || isClosed()) {
                return false;
            }
            VarHandle.fullFence();
            run.setImmediateExit(true);
            VarHandle.fullFence();
            if (LibC.tgkill(LibC.getpid(), kickTid, KICK_SIGNAL) != 0) {
                int err = LibC.errno();
                if (err != Errno.ESRCH.number()) {
                    throw new KvmException("tgkill", err);
                }
                return false;
            }
            kicks.increment();
            return true;
        }
    }

    /** How many kick signals were sent to this vCPU. */
    public long kickCount() {
        return kicks.sum();
    }

    private static void consumeKick() {
        Memory set = new Memory(LibC.GLIBC_SIGSET_BYTES);
        set.clear();
        setSignalBit(set, KICK_SIGNAL);
        Memory zero = new Memory(16); // struct timespec {0, 0}: poll, never wait
        zero.clear();
        while (LibC.sigtimedwait(set, null, zero) == KICK_SIGNAL) {
            // drain: standard signals coalesce, real-time ones queue
        }
    }

    private static void setSignalBit(Pointer set, int signal) {
        int bit = signal - 1;
        set.setByte(bit / 8, (byte) (set.getByte(bit / 8) | (1 << (bit % 8))));
    }

    // ---- state ----

    private void countWrite(String ioctl) {
        writes.computeIfAbsent(ioctl, k -> new LongAdder()).increment();
    }

    /**
     * A GET ioctl whose argument is one struct of {@code size} bytes, zeroed, that the kernel fills
     * and {@code decode} reads, in {@link #scratch}.
     */
    private <T> T fetch(String name, long request, int size, java.util.function.Function<Pointer, T> decode) {
        return exchange(name, request, size, m -> { }, (m, r) -> decode.apply(m));
    }

    /**
     * An ioctl whose argument {@code fill} writes into {@link #scratch} ({@code size} bytes, zeroed
     * first) and {@code decode} reads after it; returns what {@code decode} makes of the answer and
     * the ioctl's result.
     */
    private <T> T exchange(String name, long request, int size, java.util.function.Consumer<Pointer> fill,
                           java.util.function.BiFunction<Pointer, Integer, T> decode) {
        synchronized (scratch) {
            scratch.clear(size);
            fill.accept(scratch);
            int r = ioctl(name, request, scratch); // the kernel copies the struct and keeps no pointer
            return decode.apply(scratch, r);
        }
    }

    /** A SET ioctl whose argument is one struct of {@code size} bytes, zeroed and filled by {@code fill}. */
    private void store(String name, long request, int size, java.util.function.Consumer<Pointer> fill) {
        countWrite(name);
        exchange(name, request, size, fill, (m, r) -> r);
    }

    /** Total KVM_SET_* calls on this vCPU since creation. */
    public long stateWrites() {
        long n = 0;
        for (LongAdder a : writes.values()) {
            n += a.sum();
        }
        return n;
    }

    /** KVM_SET_* calls by ioctl name. */
    public Map<String, Long> stateWritesByIoctl() {
        Map<String, Long> m = new TreeMap<>();
        writes.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }

    /** KVM_GET_REGS. */
    public Regs getRegs() {
        return fetch("KVM_GET_REGS", KvmIoctls.KVM_GET_REGS, KvmRegs.SIZE, Regs::read);
    }

    /** KVM_SET_REGS. */
    public void setRegs(Regs regs) {
        store("KVM_SET_REGS", KvmIoctls.KVM_SET_REGS, KvmRegs.SIZE, regs::write);
    }

    /** KVM_GET_SREGS. */
    public Sregs getSregs() {
        return fetch("KVM_GET_SREGS", KvmIoctls.KVM_GET_SREGS, KvmSregs.SIZE, Sregs::read);
    }

    /** KVM_SET_SREGS. */
    public void setSregs(Sregs sregs) {
        store("KVM_SET_SREGS", KvmIoctls.KVM_SET_SREGS, KvmSregs.SIZE, sregs::write);
    }

    /** KVM_GET_FPU. */
    public Fpu getFpu() {
        return fetch("KVM_GET_FPU", KvmIoctls.KVM_GET_FPU, KvmFpu.SIZE, Fpu::read);
    }

    /** KVM_SET_FPU. */
    public void setFpu(Fpu fpu) {
        store("KVM_SET_FPU", KvmIoctls.KVM_SET_FPU, KvmFpu.SIZE, fpu::write);
    }

    /**
     * KVM_GET_XSAVE: the 4 KiB XSAVE image (KVM_CAP_XSAVE). Prefer it to KVM_GET_FPU where it
     * exists: some kernels leave MXCSR out of KVM_GET_FPU's answer.
     */
    public byte[] getXsave() {
        return fetch("KVM_GET_XSAVE", KvmIoctls.KVM_GET_XSAVE, KvmAbi.KvmXsave.SIZE,
                m -> m.getByteArray(0, KvmAbi.KvmXsave.SIZE));
    }

    /** KVM_SET_XSAVE (KVM_CAP_XSAVE). */
    public void setXsave(byte[] image) {
        if (image.length != KvmAbi.KvmXsave.SIZE) {
            throw new IllegalArgumentException("kvm_xsave is 4096 bytes, got " + image.length);
        }
        store("KVM_SET_XSAVE", KvmIoctls.KVM_SET_XSAVE, KvmAbi.KvmXsave.SIZE, m -> m.write(0, image, 0, image.length));
    }

    /**
     * KVM_GET_MSRS for the given indices. MSRs KVM does not know are left out of the answer
     * (KVM stops at the first one it cannot read, so they are asked one at a time after that).
     */
    public List<MsrEntry> getMsrs(int[] indices) {
        if (indices.length > MAX_MSRS) {
            throw new IllegalArgumentException("At most " + MAX_MSRS + " MSRs per call, got " + indices.length);
        }
        // kvm_msrs header plus one kvm_msr_entry per index; KVM fills the data fields.
        List<MsrEntry> out = exchange("KVM_GET_MSRS", KvmIoctls.KVM_GET_MSRS,
                KvmMsrs.SIZE + Math.max(indices.length, 1) * KvmMsrEntry.SIZE, m -> {
                    m.setInt(KvmMsrs.NMSRS, indices.length);
                    for (int i = 0; i < indices.length; i++) {
                        m.setInt(KvmMsrs.ENTRIES + (long) i * KvmMsrEntry.SIZE + KvmMsrEntry.INDEX, indices[i]);
                    }
                }, (m, read) -> {
                    List<MsrEntry> got = new ArrayList<>(indices.length);
                    for (int i = 0; i < read; i++) {
                        long off = KvmMsrs.ENTRIES + (long) i * KvmMsrEntry.SIZE;
                        got.add(new MsrEntry(m.getInt(off + KvmMsrEntry.INDEX), m.getLong(off + KvmMsrEntry.DATA)));
                    }
                    return got;
                });
        int read = out.size();
        if (read < indices.length && read + 1 < indices.length) {
            int[] rest = new int[indices.length - read - 1];
            System.arraycopy(indices, read + 1, rest, 0, rest.length);
            out.addAll(getMsrs(rest));
        }
        return out;
    }

    /**
     * KVM_SET_MSRS.
     *
     * @throws KvmException if KVM refuses one of them (named in the message by its index)
     */
    public void setMsrs(List<MsrEntry> msrs) {
        if (msrs.size() > MAX_MSRS) {
            throw new IllegalArgumentException("At most " + MAX_MSRS + " MSRs per call, got " + msrs.size());
        }
        countWrite("KVM_SET_MSRS");
        int written = exchange("KVM_SET_MSRS", KvmIoctls.KVM_SET_MSRS,
                KvmMsrs.SIZE + Math.max(msrs.size(), 1) * KvmMsrEntry.SIZE, m -> {
                    m.setInt(KvmMsrs.NMSRS, msrs.size());
                    for (int i = 0; i < msrs.size(); i++) {
                        long off = KvmMsrs.ENTRIES + (long) i * KvmMsrEntry.SIZE;
                        m.setInt(off + KvmMsrEntry.INDEX, msrs.get(i).index());
                        m.setLong(off + KvmMsrEntry.DATA, msrs.get(i).data());
                    }
                }, (m, r) -> r);
        if (written != msrs.size()) {
            throw new KvmException("KVM_SET_MSRS", "KVM refused MSR 0x"
                    + Integer.toHexString(msrs.get(written).index()) + " (" + written + " of " + msrs.size()
                    + " written)");
        }
    }

    /** KVM_SET_CPUID2: the CPUID table this vCPU's guest sees. */
    public void setCpuid(List<CpuidEntry> entries) {
        if (entries.size() > MAX_CPUID) {
            throw new IllegalArgumentException("At most " + MAX_CPUID + " CPUID entries, got " + entries.size());
        }
        Memory m = new Memory(KvmCpuid2.SIZE + (long) Math.max(entries.size(), 1) * KvmCpuidEntry2.SIZE);
        m.clear();
        m.setInt(KvmCpuid2.NENT, entries.size());
        for (int i = 0; i < entries.size(); i++) {
            entries.get(i).write(m, KvmCpuid2.ENTRIES + (long) i * KvmCpuidEntry2.SIZE);
        }
        countWrite("KVM_SET_CPUID2");
        ioctl("KVM_SET_CPUID2", KvmIoctls.KVM_SET_CPUID2, m);
    }

    /** KVM_GET_CPUID2: the table set by {@link #setCpuid}. */
    public List<CpuidEntry> getCpuid() {
        Memory m = new Memory(KvmCpuid2.SIZE + (long) MAX_CPUID * KvmCpuidEntry2.SIZE);
        m.clear();
        m.setInt(KvmCpuid2.NENT, MAX_CPUID);
        ioctl("KVM_GET_CPUID2", KvmIoctls.KVM_GET_CPUID2, m);
        return CpuidEntry.readAll(m);
    }

    /** KVM_GET_LAPIC. */
    public LapicState getLapic() {
        return fetch("KVM_GET_LAPIC", KvmIoctls.KVM_GET_LAPIC, KvmLapicState.SIZE,
                m -> new LapicState(m.getByteArray(KvmLapicState.REGS, KvmLapicState.SIZE)));
    }

    /** KVM_SET_LAPIC. */
    public void setLapic(LapicState lapic) {
        store("KVM_SET_LAPIC", KvmIoctls.KVM_SET_LAPIC, KvmLapicState.SIZE,
                m -> m.write(KvmLapicState.REGS, lapic.regs(), 0, KvmLapicState.SIZE));
    }

    /**
     * KVM_GET_MP_STATE. Not a pure read: the kernel first accepts pending INIT and SIPI events
     * (kvm_apic_accept_events), which is why readers fetch vCPU events before this.
     */
    public MpState getMpState() {
        return MpState.of(getMpStateRaw());
    }

    /** KVM_GET_MP_STATE, the raw number (for states {@link MpState} does not list). */
    public int getMpStateRaw() {
        return fetch("KVM_GET_MP_STATE", KvmIoctls.KVM_GET_MP_STATE, KvmMpState.SIZE,
                m -> m.getInt(KvmMpState.MP_STATE));
    }

    /** KVM_SET_MP_STATE. */
    public void setMpState(MpState state) {
        if (state == MpState.UNKNOWN) {
            throw new IllegalArgumentException("Cannot set an unknown MP state");
        }
        store("KVM_SET_MP_STATE", KvmIoctls.KVM_SET_MP_STATE, KvmMpState.SIZE,
                m -> m.setInt(KvmMpState.MP_STATE, state.value()));
    }

    /** KVM_GET_VCPU_EVENTS. */
    public VcpuEvents getVcpuEvents() {
        return fetch("KVM_GET_VCPU_EVENTS", KvmIoctls.KVM_GET_VCPU_EVENTS, KvmVcpuEvents.SIZE, VcpuEvents::read);
    }

    /** KVM_SET_VCPU_EVENTS; which optional fields KVM takes is chosen by {@link VcpuEvents#flags()}. */
    public void setVcpuEvents(VcpuEvents events) {
        store("KVM_SET_VCPU_EVENTS", KvmIoctls.KVM_SET_VCPU_EVENTS, KvmVcpuEvents.SIZE, events::write);
    }

    /** KVM_GET_XCRS. */
    public List<Xcr> getXcrs() {
        return fetch("KVM_GET_XCRS", KvmIoctls.KVM_GET_XCRS, KvmXcrs.SIZE, m -> {
            int n = Math.min(m.getInt(KvmXcrs.NR_XCRS), KvmXcrs.MAX);
            List<Xcr> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                long off = KvmXcrs.XCRS + (long) i * KvmXcr.SIZE;
                out.add(new Xcr(m.getInt(off + KvmXcr.XCR), m.getLong(off + KvmXcr.VALUE)));
            }
            return out;
        });
    }

    /** KVM_SET_XCRS. */
    public void setXcrs(List<Xcr> xcrs) {
        if (xcrs.size() > KvmXcrs.MAX) {
            throw new IllegalArgumentException("At most " + KvmXcrs.MAX + " XCRs, got " + xcrs.size());
        }
        store("KVM_SET_XCRS", KvmIoctls.KVM_SET_XCRS, KvmXcrs.SIZE, m -> {
            m.setInt(KvmXcrs.NR_XCRS, xcrs.size());
            for (int i = 0; i < xcrs.size(); i++) {
                long off = KvmXcrs.XCRS + (long) i * KvmXcr.SIZE;
                m.setInt(off + KvmXcr.XCR, xcrs.get(i).index());
                m.setLong(off + KvmXcr.VALUE, xcrs.get(i).value());
            }
        });
    }

    /** KVM_GET_DEBUGREGS. */
    public DebugRegs getDebugRegs() {
        return fetch("KVM_GET_DEBUGREGS", KvmIoctls.KVM_GET_DEBUGREGS, KvmDebugregs.SIZE, DebugRegs::read);
    }

    /** KVM_SET_DEBUGREGS. */
    public void setDebugRegs(DebugRegs regs) {
        store("KVM_SET_DEBUGREGS", KvmIoctls.KVM_SET_DEBUGREGS, KvmDebugregs.SIZE, regs::write);
    }

    /** KVM_NMI: queues an NMI on this vCPU's local APIC (KVM_CAP_USER_NMI). */
    public void nmi() {
        ioctl("KVM_NMI", KvmIoctls.KVM_NMI, 0L);
    }
}
