package io.jvmm.core.testing;

import io.jvmm.core.vcpu.VcpuBackend;
import io.jvmm.kvm.DebugRegs;
import io.jvmm.kvm.Fpu;
import io.jvmm.kvm.LapicState;
import io.jvmm.kvm.MpState;
import io.jvmm.kvm.MsrEntry;
import io.jvmm.kvm.Regs;
import io.jvmm.kvm.Segment;
import io.jvmm.kvm.Sregs;
import io.jvmm.kvm.VcpuEvents;
import io.jvmm.kvm.VcpuExit;
import io.jvmm.kvm.Xcr;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * A vCPU without a hypervisor, for unit tests of the vCPU loop and of {@link
 * io.jvmm.core.vcpu.VcpuState}. {@link #run()} returns scripted exits; with none queued it
 * behaves like a guest sleeping inside KVM_RUN, returning only when kicked. As in KVM, the answer
 * to a port or MMIO read reaches RAX (and RIP moves past the instruction) only on the next run,
 * or on {@link #completeExit()}. State lives in fields; every write is counted by ioctl name,
 * like the real binding.
 */
public final class FakeVcpuBackend implements VcpuBackend {
    private final int apicId;
    private final ArrayDeque<VcpuExit> script = new ArrayDeque<>();
    private boolean kicked;
    private boolean bound;
    private Thread boundThread;
    private int runs;
    private final Map<String, Integer> writes = new TreeMap<>();
    private final List<String> reads = new ArrayList<>();
    private volatile Consumer<FakeVcpuBackend> onRun = b -> { };

    public Regs regs = Regs.reset();
    public Sregs sregs = new Sregs(seg(), seg(), seg(), seg(), seg(), seg(), seg(), seg(),
            new io.jvmm.kvm.DescriptorTable(0, 0xffff), new io.jvmm.kvm.DescriptorTable(0, 0xffff), 0x60000010L, 0, 0,
            0, 0, 0, 0xfee00900L, new long[4]);
    public Fpu fpu = Fpu.reset();
    public List<Xcr> xcrs = List.of(Xcr.xcr0Reset());
    public DebugRegs debugRegs = DebugRegs.reset();
    public List<MsrEntry> msrs = new ArrayList<>(List.of(new MsrEntry(MsrEntry.IA32_TSC, 1234)));
    public VcpuEvents events = VcpuEvents.empty();
    public MpState mpState = MpState.RUNNABLE;
    /** LINT1 wired for NMI delivery, as the firmware wires every CPU. */
    public LapicState lapic = new LapicState(new byte[1024]).withRegister(LapicState.REG_LVT_LINT1, LapicState.DM_NMI);
    public int lastEventFlags = -1;

    private static Segment seg() {
        return new Segment(0, 0xffff, 0, 3, true, 0, false, true, false, false, false, false);
    }

    public FakeVcpuBackend(int apicId) {
        this.apicId = apicId;
    }

    /** Queues exits for {@link #run()} to return, in order. */
    public synchronized FakeVcpuBackend script(VcpuExit... exits) {
        script.addAll(List.of(exits));
        notifyAll();
        return this;
    }

    /** A hook called on every {@link #run()}, on the vCPU thread, before it returns or sleeps. */
    public void onRun(Consumer<FakeVcpuBackend> hook) {
        this.onRun = hook;
    }

    /** How many times {@link #run()} was called. */
    public synchronized int runs() {
        return runs;
    }

    /** Writes by ioctl name. */
    public synchronized Map<String, Integer> writes() {
        return new TreeMap<>(writes);
    }

    /** Reads in the order they happened (ioctl names). */
    public synchronized List<String> reads() {
        return new ArrayList<>(reads);
    }

    /** The thread that bound itself, if any. */
    public synchronized Thread boundThread() {
        return boundThread;
    }

    /** The thread of the last state write and of the last state read (ioctl names aside). */
    public volatile String lastWriter;
    public volatile String lastReader;
    /** Called on every state write, before it is counted: the model check records who wrote what when. */
    public volatile Consumer<String> onWrite = w -> { };
    /** Called after every state read, on the reading thread: the model check delivers IPIs there. */
    public volatile Consumer<String> onRead = r -> { };

    private synchronized void write(String ioctl) {
        onWrite.accept(ioctl);
        writes.merge(ioctl, 1, Integer::sum);
        lastWriter = Thread.currentThread().getName();
    }

    private synchronized void read(String ioctl) {
        reads.add(ioctl);
        lastReader = Thread.currentThread().getName();
        onRead.accept(ioctl);
    }

    @Override
    public int apicId() {
        return apicId;
    }

    @Override
    public synchronized void bindToCurrentThread() {
        bound = true;
        boundThread = Thread.currentThread();
    }

    @Override
    public long hostThreadId() {
        return 0;
    }

    @Override
    public synchronized void unbindFromCurrentThread() {
        bound = false;
    }

    @Override
    public VcpuExit run() {
        onRun.accept(this);
        synchronized (this) {
            runs++;
            applyCompletion();
            while (!kicked && script.isEmpty()) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return VcpuExit.INTERRUPTED;
                }
            }
            if (kicked) {
                kicked = false;
                return VcpuExit.INTERRUPTED;
            }
            VcpuExit next = script.poll();
            if (next instanceof VcpuExit.IoIn || next instanceof VcpuExit.MmioRead) {
                completionDue = true;
            }
            return next;
        }
    }

    /** Whether the last exit was a read whose answer only the next run delivers (as in KVM). */
    private boolean completionDue;
    private long answer;
    /** How many read answers reached the registers, and how many through {@link #completeExit()}. */
    public int completions;
    public int immediateExits;

    private void applyCompletion() {
        if (completionDue) {
            completionDue = false;
            completions++;
            regs = regs.withRaxRbx(answer, regs.rbx()).withRip(regs.rip() + 1);
        }
    }

    /** Like KVM_RUN with immediate_exit: completes the last read's instruction, runs no guest code. */
    @Override
    public synchronized VcpuExit completeExit() {
        immediateExits++;
        applyCompletion();
        kicked = false;
        return VcpuExit.INTERRUPTED;
    }

    @Override
    public synchronized boolean kick() {
        if (!bound) {
            return false;
        }
        kicked = true;
        notifyAll();
        return true;
    }

    public byte[] lastIoIn;

    @Override
    public synchronized void completeIoIn(byte[] data) {
        lastIoIn = data.clone();
        long v = 0;
        for (int i = Math.min(8, data.length) - 1; i >= 0; i--) {
            v = (v << 8) | (data[i] & 0xff);
        }
        answer = v;
    }

    public long lastMmioRead;

    @Override
    public synchronized void completeMmioRead(long value) {
        lastMmioRead = value;
        answer = value;
    }

    @Override
    public synchronized Regs getRegs() {
        read("KVM_GET_REGS");
        return regs;
    }

    @Override
    public synchronized void setRegs(Regs r) {
        write("KVM_SET_REGS");
        regs = r;
    }

    @Override
    public synchronized Sregs getSregs() {
        read("KVM_GET_SREGS");
        return sregs;
    }

    @Override
    public synchronized void setSregs(Sregs s) {
        write("KVM_SET_SREGS");
        sregs = s;
    }

    @Override
    public synchronized Fpu getFpu() {
        read("KVM_GET_FPU");
        return fpu;
    }

    @Override
    public synchronized void setFpu(Fpu f) {
        write("KVM_SET_FPU");
        fpu = f;
    }

    @Override
    public synchronized List<Xcr> getXcrs() {
        read("KVM_GET_XCRS");
        return xcrs;
    }

    @Override
    public synchronized void setXcrs(List<Xcr> x) {
        write("KVM_SET_XCRS");
        xcrs = x;
    }

    @Override
    public synchronized DebugRegs getDebugRegs() {
        read("KVM_GET_DEBUGREGS");
        return debugRegs;
    }

    @Override
    public synchronized void setDebugRegs(DebugRegs d) {
        write("KVM_SET_DEBUGREGS");
        debugRegs = d;
    }

    @Override
    public synchronized List<MsrEntry> getMsrs(int[] indices) {
        read("KVM_GET_MSRS");
        List<MsrEntry> out = new ArrayList<>();
        for (int i : indices) {
            long v = 0;
            for (MsrEntry e : msrs) {
                if (e.index() == i) {
                    v = e.data();
                }
            }
            out.add(new MsrEntry(i, v));
        }
        return out;
    }

    @Override
    public synchronized void setMsrs(List<MsrEntry> m) {
        write("KVM_SET_MSRS");
        for (MsrEntry e : m) {
            msrs.removeIf(x -> x.index() == e.index());
            msrs.add(e);
        }
    }

    @Override
    public synchronized VcpuEvents getEvents() {
        read("KVM_GET_VCPU_EVENTS");
        return events;
    }

    @Override
    public synchronized void setEvents(VcpuEvents e) {
        write("KVM_SET_VCPU_EVENTS");
        lastEventFlags = e.flags();
        // Like KVM: the pending NMI and SIPI vector are taken only when their VALID_* flag is set.
        boolean nmiPending = (e.flags() & 1) != 0 ? e.nmi().pending() : events.nmi().pending();
        int sipi = (e.flags() & 2) != 0 ? e.sipiVector() : events.sipiVector();
        events = new VcpuEvents(e.exception(), e.interrupt(),
                new VcpuEvents.Nmi(e.nmi().injected(), nmiPending, e.nmi().masked()), sipi, 0, e.smi(),
                e.tripleFaultPending(), e.exceptionHasPayload(), e.exceptionPayload());
    }

    @Override
    public synchronized MpState getMpState() {
        read("KVM_GET_MP_STATE");
        return mpState;
    }

    @Override
    public synchronized void setMpState(MpState s) {
        write("KVM_SET_MP_STATE");
        mpState = s;
    }

    @Override
    public synchronized LapicState getLapic() {
        read("KVM_GET_LAPIC");
        return lapic;
    }

    @Override
    public synchronized void setLapic(LapicState l) {
        write("KVM_SET_LAPIC");
        lapic = l;
    }

    public int nmis;

    /** Another CPU's NMI IPI, as the in-kernel LAPIC records it: NMI pending. Any thread. */
    public synchronized void receiveNmi() {
        events = events.withNmi(new VcpuEvents.Nmi(events.nmi().injected(), true, events.nmi().masked()));
    }

    /** Another CPU's INIT IPI: the vCPU waits for SIPI. Any thread. */
    public synchronized void receiveInit() {
        mpState = MpState.INIT_RECEIVED;
    }

    /** Another CPU's SIPI after INIT: the vCPU starts at {@code vector} * 4096 in real mode. Any thread. */
    public synchronized void receiveSipi(int vector) {
        if (mpState == MpState.INIT_RECEIVED) {
            mpState = MpState.RUNNABLE;
            regs = regs.withRip(vector << 12);
        }
    }

    @Override
    public synchronized void nmi() {
        nmis++;
        // As KVM: a queued NMI shows as pending in the next KVM_GET_VCPU_EVENTS.
        events = events.withNmi(new VcpuEvents.Nmi(events.nmi().injected(), true, events.nmi().masked()));
    }

    @Override
    public synchronized long stateWrites() {
        return writes.values().stream().mapToLong(Integer::longValue).sum();
    }

    @Override
    public void close() {
    }
}
