package io.jvmm.core.machine;

import io.jvmm.core.boot.BootImageException;
import io.jvmm.core.boot.MultibootImage;
import io.jvmm.core.devices.AcpiPm;
import io.jvmm.core.devices.AcpiPmTimer;
import io.jvmm.core.devices.Bus;
import io.jvmm.core.devices.CpuPowerController;
import io.jvmm.core.devices.DebugExit;
import io.jvmm.core.devices.FwCfg;
import io.jvmm.core.devices.GuestRequests;
import io.jvmm.core.devices.PostCodePort;
import io.jvmm.core.devices.Uart16550;
import io.jvmm.core.firmware.BootFirmware;
import io.jvmm.core.firmware.CpuidTable;
import io.jvmm.core.lock.BigLock;
import io.jvmm.core.lock.LockRole;
import io.jvmm.core.lock.LockSite;
import io.jvmm.core.memory.GuestMemory;
import io.jvmm.core.memory.MemoryLayout;
import io.jvmm.core.metrics.MachineMetrics;
import io.jvmm.core.vcpu.KvmVcpuBackend;
import io.jvmm.core.vcpu.StateField;
import io.jvmm.core.vcpu.Vcpu;
import io.jvmm.core.vcpu.VcpuHost;
import io.jvmm.core.vcpu.VcpuRunState;
import io.jvmm.core.vcpu.VcpuSnapshot;
import io.jvmm.core.vcpu.VcpuState;
import io.jvmm.core.vcpu.VcpuStoppedException;
import io.jvmm.core.vcpu.VcpuTimeoutException;
import io.jvmm.core.vcpu.WritebackLevel;
import io.jvmm.kvm.Kvm;
import io.jvmm.kvm.KvmCap;
import io.jvmm.kvm.KvmException;
import io.jvmm.kvm.LapicState;
import io.jvmm.kvm.MpState;
import io.jvmm.kvm.VcpuExit;
import io.jvmm.kvm.VcpuFd;
import io.jvmm.kvm.VmFd;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A KVM virtual machine: guest RAM, the in-kernel interrupt controllers and timer, the port-I/O
 * and MMIO buses with their devices, firmware tables, and one {@link Vcpu} thread per CPU.
 *
 * <p><b>Locking.</b> The machine's {@link BigLock} guards its lifecycle state, the pause depth,
 * the devices and every vCPU's run state and requests (see BigLock for the contract). Public
 * methods are called without the Big Lock; they take it for their bookkeeping and release it
 * before any wait. Guest-request callbacks ({@link GuestRequests}, {@link VcpuHost}) arrive on
 * vCPU threads with the lock held and never wait.
 *
 * <p><b>Pausing.</b> Every operation that needs the vCPUs out of the guest (stop, a register
 * read, a reset) raises the pause depth, kicks every vCPU and waits, with a timeout that names the
 * stragglers, until each has parked (waiting with the lock released). The vCPUs run again when
 * the depth returns to zero.
 */
public final class Machine implements GuestRequests, VcpuHost, AutoCloseable {
    private final MachineConfig config;
    private final Kvm kvm;
    private final VmFd vm;
    private final GuestMemory memory;
    private final BigLock bql;
    private final Bus pio = new Bus("pio");
    private final Bus mmio = new Bus("mmio");
    private final Uart16550 uart;
    private final PostCodePort post = new PostCodePort();
    private final BootFirmware firmware;
    private final MachineMetrics metrics;
    private final List<Vcpu> vcpus = new ArrayList<>();
    private final List<VcpuTemplate> templates = new ArrayList<>();
    private final CountDownLatch secondariesInitialised;
    private final LockSite serviceSite;
    private final LockSite monitorSite;
    private final long createdNanos = System.nanoTime();
    private final Object parkMonitor = new Object();
    private final CompletableFuture<MachineExit> exit = new CompletableFuture<>();

    // Guarded by the Big Lock.
    private MachineState state = MachineState.CREATED;
    private int pauseDepth;
    private boolean userPaused;
    private MultibootImage.Loaded loaded;

    private volatile MachineState publishedState = MachineState.CREATED;

    /**
     * The state a CPU is reset to, captured from KVM right after the vCPU was created (x87/SSE and
     * XCR0 take their architectural reset values instead: KVM leaves MXCSR zero).
     */
    private record VcpuTemplate(io.jvmm.kvm.Regs regs, io.jvmm.kvm.Sregs sregs, io.jvmm.kvm.DebugRegs debugRegs,
                                List<io.jvmm.kvm.MsrEntry> msrs, io.jvmm.kvm.LapicState lapic,
                                io.jvmm.kvm.VcpuEvents events) {
    }

    private Machine(MachineConfig config, Kvm kvm) throws BootImageException {
        this.config = config;
        this.kvm = kvm;
        SmpTopology topo = config.topology();
        this.metrics = new MachineMetrics(config.meterRegistry(), config.id());
        this.bql = new BigLock(config.id() + " BQL", metrics.lockObserver(), config.lockChecks());
        this.serviceSite = bql.site(LockRole.SERVICE, "service");
        this.monitorSite = bql.site(LockRole.MONITOR, "monitor");
        this.secondariesInitialised = new CountDownLatch(topo.cpus() - 1);
        VmFd v = null;
        GuestMemory m = null;
        try {
            v = kvm.createVm();
            v.setTssAddr(MemoryLayout.TSS_ADDR);
            v.setIdentityMapAddr(MemoryLayout.IDENTITY_MAP_ADDR);
            v.createIrqchip();
            v.createPit2(true);
            m = GuestMemory.allocate(config.memorySize());
            v.setUserMemoryRegion(0, 0, 0, m.size(), m.hostAddress());
        } catch (RuntimeException e) {
            if (m != null) {
                m.close();
            }
            if (v != null) {
                v.close();
            }
            throw e;
        }
        this.vm = v;
        this.memory = m;
        VmFd vmFd = v;
        this.uart = new Uart16550(config.serial(), level -> vmFd.irqLine(Uart16550.COM1_IRQ, level));
        CpuidTable cpuid = new CpuidTable(kvm.supportedCpuid(), topo);
        this.firmware = new BootFirmware(topo, cpuid);
        pio.add(PostCodePort.PORT, 1, "post", post);
        pio.add(DebugExit.PORT, DebugExit.SIZE, "debug-exit", new DebugExit(this));
        pio.add(Uart16550.COM1, 8, "com1", uart);
        pio.add(FwCfg.SELECTOR_PORT, FwCfg.SIZE, "fw_cfg",
                new FwCfg(config.memorySize(), topo.cpus(), topo.maxCpus()));
        pio.add(CpuPowerController.BASE, CpuPowerController.SIZE, "cpu-power",
                new CpuPowerController(this, topo.cpus()));
        pio.add(AcpiPm.BASE, AcpiPm.SIZE, "acpi-pm", new AcpiPm(this));
        pio.add(AcpiPmTimer.PORT, AcpiPmTimer.SIZE, "acpi-pm-timer", new AcpiPmTimer());
        loadGuest();
        int[] msrList = kvm.msrIndexList();
        boolean smm = kvm.hasCapability(KvmCap.X86_SMM);
        boolean xsave = kvm.hasCapability(KvmCap.XSAVE);
        for (int i = 0; i < topo.cpus(); i++) {
            int apicId = topo.apicId(i);
            VcpuFd fd = vm.createVcpu(apicId);
            KvmVcpuBackend backend = new KvmVcpuBackend(fd, xsave);
            try {
                fd.setCpuid(cpuid.forCpu(apicId));
                templates.add(new VcpuTemplate(fd.getRegs(), fd.getSregs(), fd.getDebugRegs(), fd.getMsrs(VcpuState.managedMsrs(msrList)),
                        BootFirmware.wireLapic(fd.getLapic(), i == 0), fd.getVcpuEvents()));
            } catch (RuntimeException e) {
                backend.close();
                throw e;
            }
            VcpuState vs = new VcpuState("vcpu-" + i, i, backend, config.writebackPolicy(), msrList, smm);
            vcpus.add(new Vcpu(i, backend, vs, this, config.loopPolicy()));
        }
        metrics.bind(() -> vcpus, pio, mmio);
    }

    /**
     * Builds a machine: checks the configuration against what KVM allows, creates the VM, its RAM,
     * devices, firmware tables and vCPUs, and loads the image. Nothing runs until {@link #start()}.
     *
     * @throws ConfigException if the topology or memory is outside what this KVM allows (before any VM exists)
     * @throws BootImageException if the image does not fit
     * @throws KvmException if KVM refuses something
     */
    public static Machine create(MachineConfig config) throws ConfigException, BootImageException {
        Kvm kvm = Kvm.open();
        try {
            validate(config, kvm);
            return new Machine(config, kvm);
        } catch (ConfigException | BootImageException | RuntimeException e) {
            kvm.close();
            throw e;
        }
    }

    /**
     * Checks a configuration against what {@code kvm} supports, without creating anything.
     *
     * @throws ConfigException naming the first problem
     */
    public static void validate(MachineConfig config, Kvm kvm) throws ConfigException, BootImageException {
        SmpTopology t = config.topology();
        int maxVcpus = kvm.checkExtension(KvmCap.MAX_VCPUS);
        if (maxVcpus <= 0) {
            maxVcpus = Math.max(kvm.checkExtension(KvmCap.NR_VCPUS), 4);
        }
        if (t.maxCpus() > maxVcpus) {
            throw new ConfigException("Invalid -smp " + t.canonical() + ": " + t.maxCpus()
                    + " CPUs exceed this KVM's limit of " + maxVcpus + " (KVM_CAP_MAX_VCPUS)");
        }
        int maxId = kvm.checkExtension(KvmCap.MAX_VCPU_ID);
        if (maxId > 0 && t.maxApicId() >= maxId) {
            throw new ConfigException("Invalid -smp " + t.canonical() + ": APIC ID " + t.maxApicId()
                    + " exceeds this KVM's limit of " + (maxId - 1) + " (KVM_CAP_MAX_VCPU_ID)");
        }
        if (t.maxApicId() > 254) {
            throw new ConfigException("Invalid -smp " + t.canonical() + ": the topology needs APIC ID "
                    + t.maxApicId() + ", above the xAPIC limit of 254; use fewer CPUs or power-of-two cores and threads");
        }
        if (config.memorySize() < MemoryLayout.MIN_RAM || config.memorySize() > MemoryLayout.MAX_RAM) {
            throw new ConfigException("Invalid -m: " + (config.memorySize() >> 20) + "M is outside "
                    + (MemoryLayout.MIN_RAM >> 20) + "M.." + (MemoryLayout.MAX_RAM >> 20) + "M");
        }
        for (KvmCap cap : List.of(KvmCap.IRQCHIP, KvmCap.PIT2, KvmCap.IMMEDIATE_EXIT, KvmCap.MP_STATE,
                KvmCap.VCPU_EVENTS, KvmCap.USER_NMI)) {
            if (!kvm.hasCapability(cap)) {
                throw new ConfigException("This KVM lacks KVM_CAP_" + cap + ", which jvmm needs");
            }
        }
        config.image().checkFits(config.memorySize());
    }

    /** Copies the image, its boot information and the firmware tables into RAM. All vCPUs stopped. */
    private void loadGuest() throws BootImageException {
        firmware.write(memory);
        loaded = config.image().load(memory, config.commandLine(), config.modules());
    }

    // ---------------------------------------------------------------- accessors

    /** The configuration. */
    public MachineConfig config() {
        return config;
    }

    /** The machine's id. */
    public String id() {
        return config.id();
    }

    /** The lifecycle state (no lock needed). */
    public MachineState state() {
        return publishedState;
    }

    /** The vCPUs, boot CPU first. */
    public List<Vcpu> vcpus() {
        return List.copyOf(vcpus);
    }

    /** Guest RAM. */
    public GuestMemory memory() {
        return memory;
    }

    @Override
    public BigLock bql() {
        return bql;
    }

    @Override
    public Bus pio() {
        return pio;
    }

    @Override
    public Bus mmio() {
        return mmio;
    }

    /** The lock site the monitor uses. */
    public LockSite monitorSite() {
        return monitorSite;
    }

    /** The lock site the service and command line use. */
    public LockSite serviceSite() {
        return serviceSite;
    }

    /** How the run ended; completes when it does. */
    public CompletableFuture<MachineExit> exitFuture() {
        return exit;
    }

    /** Nanoseconds from the start of {@link #create} to the guest's first POST-port write, or -1 if none yet. */
    public long bootNanos() {
        long first = post.firstWriteNanos();
        return first == 0 ? -1 : first - createdNanos;
    }

    /** The Multiboot info address of the current boot. */
    public long multibootInfoAddress() {
        return loaded.infoAddress();
    }

    /** Whether the user stopped the machine (stop, not yet cont). */
    public boolean userPaused() {
        return publishedState == MachineState.PAUSED;
    }

    // ---------------------------------------------------------------- lifecycle

    private void transition(MachineState next) {
        bql.assertHeld("machine state change");
        if (!state.canBecome(next)) {
            throw new IllegalStateException(config.id() + ": no transition from " + state + " to " + next);
        }
        state = next;
        publishedState = next;
    }

    private void requireLive(String command) {
        if (!state.isLive()) {
            throw new InvalidStateException(command, state, "running, paused or resetting");
        }
    }

    /** Starts every vCPU thread; secondaries wait powered off if the configuration says so. */
    public void start() {
        bql.lock(serviceSite);
        try {
            if (state != MachineState.CREATED) {
                throw new InvalidStateException("start", state, "created (not yet started)");
            }
            transition(MachineState.RUNNING);
        } finally {
            bql.unlock();
        }
        // Secondaries first, so that every vCPU the boot CPU can address exists when it starts.
        // Started without the lock: each new thread takes it, and thread creation is slow.
        for (int i = 1; i < vcpus.size(); i++) {
            vcpus.get(i).start(config.secondariesPoweredOff(), this::initialState);
        }
        vcpus.get(0).start(false, this::initialState);
    }

    /**
     * The FULL-level initial state, written by each vCPU thread before it first runs (without the
     * Big Lock: the state is confined to that thread). The boot CPU writes its own only once every
     * secondary has written (or failed to write) its own, so that no INIT, SIPI, NMI or start
     * request it sends can reach a vCPU whose initial write is still to come and would erase it.
     */
    private void initialState(Vcpu v) {
        if (v.index() == 0) {
            awaitSecondariesInitialised();
            writeInitialState(v);
            return;
        }
        try {
            writeInitialState(v);
        } finally {
            secondariesInitialised.countDown();
        }
    }

    private void awaitSecondariesInitialised() {
        try {
            if (secondariesInitialised.await(config.vcpuTimeoutMs(), TimeUnit.MILLISECONDS)) {
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VcpuTimeoutException("Interrupted while the secondary vCPUs wrote their initial state");
        }
        List<String> late = new ArrayList<>();
        for (Vcpu v : vcpus.subList(1, vcpus.size())) {
            if (v.runState() == VcpuRunState.CREATED) {
                late.add(v.describe());
            }
        }
        throw new VcpuTimeoutException("secondary vCPUs did not write their initial state within "
                + config.vcpuTimeoutMs() + " ms: " + String.join(", ", late));
    }

    private void writeInitialState(Vcpu v) {
        VcpuState s = v.state();
        VcpuTemplate t = templates.get(v.index());
        s.setLapic(t.lapic());
        s.setTsc(0);
        s.setFpu(io.jvmm.kvm.Fpu.reset());
        s.setXcrs(List.of(io.jvmm.kvm.Xcr.xcr0Reset()));
        if (v.index() == 0) {
            s.setSregs(BootFirmware.protectedModeEntry(t.sregs()));
            s.setRegs(BootFirmware.multibootEntry(loaded.entry(), loaded.infoAddress()));
        }
        s.flush(WritebackLevel.FULL);
    }

    /** Resets CPU {@code v} on its own thread: RESET-level write of its reset template (the boot CPU to the Multiboot entry). */
    private Void resetCpu(Vcpu v) {
        VcpuState s = v.state();
        VcpuTemplate t = templates.get(v.index());
        boolean boot = v.index() == 0;
        s.setSregs(boot ? BootFirmware.protectedModeEntry(t.sregs()) : t.sregs());
        s.setRegs(boot ? BootFirmware.multibootEntry(loaded.entry(), loaded.infoAddress()) : t.regs());
        s.setFpu(io.jvmm.kvm.Fpu.reset());
        s.setXcrs(List.of(io.jvmm.kvm.Xcr.xcr0Reset()));
        s.setDebugRegs(t.debugRegs());
        s.setMsrs(t.msrs());
        s.setLapic(t.lapic());
        s.setMpState(boot ? MpState.RUNNABLE : MpState.UNINITIALIZED);
        s.setEvents(t.events(), EnumSet.of(StateField.EVENTS, StateField.NMI_PENDING, StateField.SIPI_VECTOR));
        s.flush(WritebackLevel.RESET);
        boolean off = config.secondariesPoweredOff() && !boot;
        v.setRunState(off ? VcpuRunState.POWERED_OFF : VcpuRunState.RUNNING);
        return null;
    }

    /** Starts a powered-off CPU on its own thread: a RESET-level write of that one CPU, at the requested entry. */
    private void powerOn(Vcpu v, long entry, long arg) {
        VcpuState s = v.state();
        VcpuTemplate t = templates.get(v.index());
        s.setSregs(BootFirmware.protectedModeEntry(t.sregs()));
        s.setRegs(BootFirmware.cpuStart(entry, v.index(), arg));
        s.setLapic(t.lapic());
        s.setMpState(MpState.RUNNABLE);
        s.setEvents(t.events(), EnumSet.of(StateField.EVENTS, StateField.NMI_PENDING, StateField.SIPI_VECTOR));
        s.flush(WritebackLevel.RESET);
    }

    /**
     * Raises the pause depth and waits until every vCPU has parked.
     *
     * @throws VcpuTimeoutException naming the vCPUs that did not park (the pause is undone)
     */
    private void pauseVcpus(LockSite site) {
        bql.lock(site);
        try {
            pauseDepth++;
            for (Vcpu v : vcpus) {
                v.requestExit();
            }
        } finally {
            bql.unlock();
        }
        try {
            awaitParked("park");
        } catch (VcpuTimeoutException e) {
            resumeVcpus(site);
            throw e;
        }
    }

    /** Lowers the pause depth; at zero the vCPUs run again. */
    private void resumeVcpus(LockSite site) {
        bql.lock(site);
        try {
            endPause();
        } finally {
            bql.unlock();
        }
    }

    private void endPause() {
        bql.assertHeld("pause end");
        pauseDepth--;
        if (pauseDepth == 0) {
            for (Vcpu v : vcpus) {
                v.wake();
            }
        }
    }

    private void awaitParked(String what) {
        bql.assertNotHeld("waiting for vCPUs to " + what);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.vcpuTimeoutMs());
        synchronized (parkMonitor) {
            while (true) {
                List<Vcpu> late = vcpus.stream().filter(v -> !v.isParked()).toList();
                if (late.isEmpty()) {
                    return;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new VcpuTimeoutException("vCPUs did not " + what + " within " + config.vcpuTimeoutMs()
                            + " ms: " + String.join(", ", late.stream().map(Vcpu::describe).toList())
                            + "; BQL holder: " + bql.holder().map(Object::toString).orElse("none"));
                }
                try {
                    parkMonitor.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new VcpuTimeoutException("Interrupted while waiting for vCPUs to " + what);
                }
            }
        }
    }

    /**
     * Stops the guest: every vCPU leaves the guest and parks; returns once all have. A stopped
     * machine stays stopped. Allowed when running or paused.
     */
    public void pause() {
        bql.lock(monitorSite);
        try {
            requireLive("stop");
            if (userPaused) {
                return;
            }
            userPaused = true;
            pauseDepth++;
            if (state == MachineState.RUNNING) {
                transition(MachineState.PAUSED);
            }
            for (Vcpu v : vcpus) {
                v.requestExit();
            }
        } finally {
            bql.unlock();
        }
        awaitParked("stop");
    }

    /** Lets a stopped guest run again. Allowed when running (no effect) or paused. */
    public void resume() {
        bql.lock(monitorSite);
        try {
            requireLive("cont");
            if (!userPaused) {
                return;
            }
            userPaused = false;
            if (state == MachineState.PAUSED) {
                transition(MachineState.RUNNING);
            }
            endPause();
        } finally {
            bql.unlock();
        }
    }

    /**
     * system_reset: stops every vCPU, resets the devices, reloads the image and firmware tables,
     * writes each CPU's reset state at RESET level on its own thread, and lets the machine run
     * again (a stopped machine stays stopped).
     */
    public void reset() {
        pauseVcpus(monitorSite);
        try {
            List<CompletableFuture<Void>> done = new ArrayList<>();
            bql.lock(monitorSite);
            try {
                requireLive("system_reset");
                MachineState before = state;
                transition(MachineState.RESETTING);
                pio.resetDevices();
                mmio.resetDevices();
                memory.clear();
                try {
                    loadGuest();
                } catch (BootImageException e) {
                    throw new IllegalStateException("Reloading " + e.getMessage(), e);
                }
                for (Vcpu v : vcpus) {
                    done.add(v.submit("reset", this::resetCpu));
                }
                transition(before == MachineState.PAUSED ? MachineState.PAUSED : MachineState.RUNNING);
            } finally {
                bql.unlock();
            }
            try {
                awaitEach(done, "reset");
            } catch (VcpuStoppedException e) {
                throw new InvalidStateException("system_reset", publishedState, "running, paused or resetting");
            }
        } finally {
            resumeVcpus(monitorSite);
        }
    }

    /**
     * Reads every vCPU's registers: brings all vCPUs out of the guest (kick, park), reads each in
     * the safe order on its own thread, writes nothing, and lets the machine run on as it was. A
     * machine whose vCPU threads have ended (shut down, failed) is read directly.
     */
    public List<VcpuSnapshot> readRegisters() {
        return onEveryVcpu("read registers", v -> v.state().read(), true);
    }

    /**
     * The NMI button: an external NMI to every CPU, delivered as on a PC, through each local
     * APIC's LINT1 pin. A CPU whose LVT LINT1 entry is masked or not set to NMI delivery does not
     * get it. Issued on each vCPU's own thread (KVM_GET_LAPIC, then KVM_NMI).
     *
     * @return how many CPUs the NMI was delivered to
     */
    public int injectNmi() {
        List<Boolean> delivered = onEveryVcpu("inject an NMI", v -> {
            boolean open = v.backend().getLapic().lvtDelivers(LapicState.REG_LVT_LINT1, LapicState.DM_NMI);
            if (open) {
                v.backend().nmi();
            }
            return open;
        }, false);
        return (int) delivered.stream().filter(Boolean::booleanValue).count();
    }

    /**
     * Runs {@code task} on every vCPU's thread; with {@code parkAll}, only after all have left
     * the guest. Returns the results in CPU order.
     */
    private <T> List<T> onEveryVcpu(String what, Function<Vcpu, T> task, boolean parkAll) {
        boolean reading = what.startsWith("read");
        if (!vcpuThreadsRunning(what, reading)) {
            return readAfterStop(what, task);
        }
        try {
            return onEveryRunningVcpu(what, task, parkAll);
        } catch (VcpuStoppedException e) {
            // The guest shut down or failed between the state check and the work: answer as if
            // the request had come after it.
            if (!vcpuThreadsRunning(what, reading)) {
                return readAfterStop(what, task);
            }
            throw e;
        }
    }

    /**
     * Whether the vCPU threads run: false once the machine has shut down or failed (where only
     * reads are allowed).
     *
     * @throws InvalidStateException when {@code what} is not allowed in the current state
     */
    private boolean vcpuThreadsRunning(String what, boolean reading) {
        bql.lock(monitorSite);
        try {
            if (state == MachineState.DESTROYED) {
                throw new InvalidStateException(reading ? "read the registers of" : what + " into",
                        state, "running, paused, shut down or failed");
            }
            boolean ended = !state.isLive() && state != MachineState.CREATED;
            if (state == MachineState.CREATED || (ended && !reading)) {
                throw new InvalidStateException(what + " for", state, "running or paused");
            }
            return !ended;
        } finally {
            bql.unlock();
        }
    }

    private <T> List<T> onEveryRunningVcpu(String what, Function<Vcpu, T> task, boolean parkAll) {
        if (parkAll) {
            pauseVcpus(monitorSite);
        }
        try {
            List<CompletableFuture<T>> futures = new ArrayList<>();
            bql.lock(monitorSite);
            try {
                for (Vcpu v : vcpus) {
                    futures.add(v.submit(what, task));
                }
            } finally {
                bql.unlock();
            }
            return awaitEach(futures, what);
        } finally {
            // The vCPUs stay out until every task is done: the reads form one snapshot, and on a
            // host with fewer cores than vCPUs the readers do not compete with resumed guests.
            if (parkAll) {
                resumeVcpus(monitorSite);
            }
        }
    }

    /** Waits, without the Big Lock, for one work item per vCPU (CPU order); returns the results. */
    private <T> List<T> awaitEach(List<CompletableFuture<T>> futures, String what) {
        List<T> out = new ArrayList<>();
        for (int i = 0; i < futures.size(); i++) {
            out.add(Vcpu.await(vcpus.get(i), futures.get(i), what, config.vcpuTimeoutMs()));
        }
        return out;
    }

    /** After the vCPU threads ended nobody runs the vCPUs, so the caller may read them itself. */
    private <T> List<T> readAfterStop(String what, Function<Vcpu, T> task) {
        List<String> stuck = joinVcpuThreads();
        if (!stuck.isEmpty()) {
            throw new VcpuTimeoutException("vCPU threads did not end within " + config.vcpuTimeoutMs() + " ms: "
                    + String.join(", ", stuck));
        }
        List<T> out = new ArrayList<>();
        for (Vcpu v : vcpus) {
            out.add(v.withStoppedThread(task));
        }
        return out;
    }

    /**
     * Ends the machine: stops the vCPU threads, waits for them, closes every descriptor and
     * unmaps RAM. Idempotent. The machine's meters are removed.
     */
    public void destroy() {
        bql.lock(serviceSite);
        try {
            if (state == MachineState.DESTROYED) {
                return;
            }
            if (!exit.isDone()) {
                exit.complete(new MachineExit(MachineExit.Kind.DESTROYED, -1, "destroyed while " + state.tag()));
            }
            transition(MachineState.DESTROYED);
            for (Vcpu v : vcpus) {
                v.requestStop();
            }
        } finally {
            bql.unlock();
        }
        List<String> stuck = joinVcpuThreads();
        metrics.close();
        if (!stuck.isEmpty()) {
            // A thread still in KVM_RUN would fault on unmapped memory; leak the resources instead.
            throw new VcpuTimeoutException(config.id() + ": vCPU threads did not end within "
                    + config.vcpuTimeoutMs() + " ms (" + String.join(", ", stuck) + "); KVM objects left open");
        }
        for (Vcpu v : vcpus) {
            v.backend().close();
        }
        vm.close();
        memory.close();
        kvm.close();
    }

    /** Waits (with the usual bound each) for every vCPU thread to end; returns those that did not. */
    private List<String> joinVcpuThreads() {
        List<String> stuck = new ArrayList<>();
        for (Vcpu v : vcpus) {
            try {
                if (!v.join(config.vcpuTimeoutMs())) {
                    stuck.add(v.describe());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stuck.add(v.describe());
            }
        }
        return stuck;
    }

    @Override
    public void close() {
        destroy();
    }

    /**
     * Waits for the run to end.
     *
     * @return how it ended, or null on timeout
     */
    public MachineExit awaitExit(long timeoutMs) throws InterruptedException {
        try {
            return exit.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            return null;
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Feeds bytes to the serial port's receiver, as if typed on its terminal. */
    public void sendSerialInput(byte[] data) {
        bql.lock(serviceSite);
        try {
            for (byte b : data) {
                uart.receive(b);
            }
        } finally {
            bql.unlock();
        }
    }

    // ---------------------------------------------------------------- guest requests (vCPU thread, BQL held)

    private void end(MachineExit how, MachineState next) {
        bql.assertHeld("machine end");
        if (!state.isLive()) {
            return;
        }
        if (!exit.isDone()) {
            exit.complete(how);
        }
        transition(next);
        for (Vcpu v : vcpus) {
            v.requestStop();
        }
    }

    @Override
    public void guestExit(int cpu, long value) {
        end(new MachineExit(MachineExit.Kind.GUEST_EXIT, value, "vcpu-" + cpu + " wrote " + value
                + " to the debug-exit port"), MachineState.SHUTDOWN);
    }

    @Override
    public void guestPowerOff(int cpu) {
        end(new MachineExit(MachineExit.Kind.POWER_OFF, -1, "vcpu-" + cpu + " requested ACPI power-off (S5)"),
                MachineState.SHUTDOWN);
    }

    @Override
    public int startCpu(int cpu, int target, long entry, long arg) {
        if (target < 0 || target >= vcpus.size()) {
            return START_NO_SUCH_CPU;
        }
        if (!memory.contains(entry, 1)) {
            return START_BAD_ENTRY;
        }
        return vcpus.get(target).requestStart(v -> powerOn(v, entry, arg)) ? START_OK : START_NOT_POWERED_OFF;
    }

    @Override
    public boolean pauseRequested() {
        return pauseDepth > 0;
    }

    @Override
    public void parkedChanged() {
        synchronized (parkMonitor) {
            parkMonitor.notifyAll();
        }
    }

    @Override
    public void guestFault(Vcpu vcpu, String reason) {
        end(new MachineExit(MachineExit.Kind.GUEST_FAULT, -1, reason), MachineState.FAILED);
    }

    @Override
    public void guestResetRequest(Vcpu vcpu) {
        // A reset parks every vCPU, this one included, so it cannot run on this thread.
        Thread t = new Thread(() -> {
            try {
                reset();
            } catch (RuntimeException e) {
                bql.lock(serviceSite);
                try {
                    end(new MachineExit(MachineExit.Kind.VMM_ERROR, -1, "guest-requested reset failed: "
                            + e.getMessage()), MachineState.FAILED);
                } finally {
                    bql.unlock();
                }
            }
        }, config.id() + "-reset");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void guestPowerOffRequest(Vcpu vcpu) {
        guestPowerOff(vcpu.index());
    }

    @Override
    public void vcpuCrashed(Vcpu vcpu, Throwable cause) {
        end(new MachineExit(MachineExit.Kind.VMM_ERROR, -1, vcpu.name() + " failed: " + cause), MachineState.FAILED);
    }

    @Override
    public void exitObserved(VcpuExit e) {
        metrics.exit(e);
    }
}
