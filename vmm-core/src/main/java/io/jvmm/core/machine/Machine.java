package io.jvmm.core.machine;

import io.jvmm.core.boot.BootImageException;
import io.jvmm.core.devices.Bus;
import io.jvmm.core.lock.BigLock;
import io.jvmm.core.lock.LockRole;
import io.jvmm.core.lock.LockSite;
import io.jvmm.core.vcpu.CpuManager;
import io.jvmm.core.vcpu.PendingRequest;
import io.jvmm.core.vcpu.Vcpu;
import io.jvmm.core.vcpu.VcpuRequest;
import io.jvmm.core.vcpu.VcpuSnapshot;
import io.jvmm.core.vcpu.VcpuStoppedException;
import io.jvmm.core.vcpu.VcpuTimeoutException;
import io.jvmm.kvm.Kvm;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A KVM virtual machine: it wires the platform ({@link Platform}: RAM, interrupt controllers,
 * buses, devices, firmware, vCPUs) and runs the machine's lifecycle ({@link MachineState}). Its
 * vCPUs belong to a {@link CpuManager}, which pauses them and carries requests to them; the states
 * it puts CPUs in come from {@link CpuResets}.
 *
 * <p>Public methods are called without the Big Lock (its rules are in {@link BigLock}); they take
 * it for their bookkeeping and release it before any wait. What the guest asks for arrives through
 * {@link GuestCallbacks} on vCPU threads, with the lock held, and never waits.
 */
public final class Machine implements AutoCloseable {
    private final MachineConfig config;
    private final Platform platform;
    private final BigLock bql;
    private final CpuManager cpus;
    private final CpuResets resets;
    private final LockSite serviceSite;
    private final LockSite monitorSite;
    private final CompletableFuture<MachineExit> exit = new CompletableFuture<>();
    private volatile MachineState publishedState = MachineState.CREATED;

    // Guarded by the Big Lock.
    private MachineState state = MachineState.CREATED;
    private CpuManager.Pause userPause;

    private Machine(MachineConfig config, Platform platform) {
        this.config = config;
        this.platform = platform;
        this.bql = platform.bql();
        this.resets = platform.resets();
        this.serviceSite = bql.site(LockRole.SERVICE, "service");
        this.monitorSite = bql.site(LockRole.MONITOR, "monitor");
        this.cpus = new CpuManager(config.id(), bql, platform.createVcpus(new GuestCallbacks(this, platform.closer())),
                config.vcpuTimeoutMs());
        platform.bindMetrics(cpus::vcpus);
    }

    /**
     * Builds a machine: checks the configuration against what KVM allows, creates the VM, its RAM,
     * devices, firmware tables and vCPUs, and loads the image. Nothing runs until {@link #start()}.
     * If anything fails, everything taken so far is closed again.
     *
     * @throws ConfigException if the topology or memory is outside what this KVM allows (before any VM exists)
     * @throws BootImageException if the image does not fit
     * @throws io.jvmm.kvm.KvmException if KVM refuses something
     */
    public static Machine create(MachineConfig config) throws ConfigException, BootImageException {
        Closer closer = new Closer();
        try {
            Kvm kvm = closer.add(Kvm.open());
            KvmLimits.check(config, kvm);
            return new Machine(config, Platform.build(config, kvm, closer));
        } catch (ConfigException | BootImageException | RuntimeException | Error e) {
            closer.closeAfter(e);
            throw e;
        }
    }

    public MachineConfig config() {
        return config;
    }

    public String id() {
        return config.id();
    }

    /** The lifecycle state (no lock needed). */
    public MachineState state() {
        return publishedState;
    }

    /** The vCPUs, boot CPU first. */
    public List<Vcpu> vcpus() {
        return cpus.vcpus();
    }

    /** Guest RAM. */
    public io.jvmm.core.memory.GuestMemory memory() {
        return platform.memory();
    }

    /** The machine's Big Lock. */
    public BigLock bql() {
        return bql;
    }

    /** The port-I/O bus. */
    public Bus pio() {
        return platform.pio();
    }

    /** The MMIO bus. */
    public Bus mmio() {
        return platform.mmio();
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
        return platform.bootNanos();
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

    /**
     * Starts every vCPU thread, secondaries powered off if so configured; configured to start paused
     * (QEMU's -S), each vCPU writes its initial state and parks before its first instruction.
     */
    public void start() {
        locked(serviceSite, () -> {
            if (state != MachineState.CREATED) {
                throw new InvalidStateException("start", state, "created (not yet started)");
            }
            transition(MachineState.RUNNING);
            if (config.startPaused()) {
                raiseUserPauseLocked();
            }
        });
        cpus.start(config.secondariesPoweredOff(), v -> resets.writeInitial(v, cpus.vcpus(), config.vcpuTimeoutMs()));
    }

    /** Stops the guest: every vCPU leaves the guest and parks; returns once all have. Allowed when running or paused. */
    public void pause() {
        CpuManager.Pause p;
        bql.lock(monitorSite);
        try {
            requireLive("stop");
            p = raiseUserPauseLocked();
        } finally {
            bql.unlock();
        }
        cpus.awaitParked(p);
    }

    /** Raises the operator's pause unless it is raised; returns it. Big Lock held. */
    private CpuManager.Pause raiseUserPauseLocked() {
        if (userPause == null) {
            userPause = cpus.raiseLocked();
            if (state == MachineState.RUNNING) {
                transition(MachineState.PAUSED);
            }
        }
        return userPause;
    }

    /** Lets a stopped guest run again. Allowed when running (no effect) or paused. */
    public void resume() {
        locked(monitorSite, () -> {
            requireLive("cont");
            if (userPause != null) {
                if (state == MachineState.PAUSED) {
                    transition(MachineState.RUNNING);
                }
                cpus.releaseLocked(userPause);
                userPause = null;
            }
        });
    }

    /**
     * system_reset: stops every vCPU, resets the devices, reloads the image and firmware tables,
     * writes each CPU's reset state at RESET level on its own thread (under the pause, which is the
     * grant), and lets the machine run again (a stopped machine stays stopped). Under
     * {@code -no-reboot} it ends the run instead, as QEMU's does.
     */
    public void reset() {
        if (config.noReboot()) {
            locked(monitorSite, () -> {
                requireLive("system_reset");
                end(MachineExit.resetUnderNoReboot("system_reset"), MachineState.SHUTDOWN);
            });
            return;
        }
        resetUnder(cpus.pause(monitorSite), monitorSite);
    }

    /** A reset of a machine whose vCPUs are parked under {@code pause}, which it releases. */
    void resetUnder(CpuManager.Pause pause, LockSite site) {
        try {
            List<PendingRequest<Void>> done;
            bql.lock(site);
            try {
                requireLive("system_reset");
                MachineState before = state;
                transition(MachineState.RESETTING);
                platform.resetDevicesAndReload();
                done = cpus.submitEach(v -> new VcpuRequest.Reset(resets.reset(v.index()),
                        resets.afterReset(v.index()), pause));
                transition(before == MachineState.PAUSED ? MachineState.PAUSED : MachineState.RUNNING);
            } finally {
                bql.unlock();
            }
            try {
                cpus.awaitEach(done);
            } catch (VcpuStoppedException e) {
                throw new InvalidStateException("system_reset", publishedState, "running, paused or resetting");
            }
        } finally {
            cpus.release(pause, site);
        }
    }

    /**
     * Reads the registers of the vCPUs {@code how} names and writes nothing: each is read on its own
     * thread once out of the guest, the others left running unless {@code how} asks for all of them
     * parked together ({@link RegisterRead} says why that is safe); an ended machine is read on this
     * thread, under the Big Lock. Answers in CPU order.
     */
    public List<VcpuSnapshot> readRegisters(RegisterRead how) {
        List<Vcpu> targets = how.all() ? cpus.vcpus() : List.of(vcpu(how.cpu()));
        try {
            List<VcpuSnapshot> live = onLiveVcpus("read the registers of", targets, v -> new VcpuRequest.ReadState(),
                    how.together(), true);
            if (live != null) {
                return live;
            }
        } catch (VcpuStoppedException e) {
            if (state.isLive()) {
                throw e;
            }
            // The guest ended between the state check and the read: answer as if asked after it.
        }
        cpus.joinAllOrThrow();
        bql.lock(monitorSite);
        try {
            if (state == MachineState.DESTROYED) {
                throw new InvalidStateException("read the registers of", state, "running, paused, shut down or failed");
            }
            return cpus.readEndedLocked(targets);
        } finally {
            bql.unlock();
        }
    }

    /** vCPU {@code index}, or an {@link IllegalArgumentException} naming the valid range. */
    private Vcpu vcpu(int index) {
        List<Vcpu> all = cpus.vcpus();
        if (index >= all.size()) {
            throw new IllegalArgumentException("CPU index " + index + " is out of range; this machine has "
                    + (all.size() == 1 ? "CPU 0" : "CPUs 0-" + (all.size() - 1)));
        }
        return all.get(index);
    }

    /**
     * The NMI button: an NMI to every CPU through LINT1 (not to one whose LVT LINT1 is masked or not
     * NMI), issued on each vCPU's thread through its register state; returns how many got it.
     */
    public int injectNmi() {
        List<Boolean> delivered = onLiveVcpus("inject an NMI into", cpus.vcpus(), v -> new VcpuRequest.InjectNmi(),
                false, false);
        return (int) delivered.stream().filter(Boolean::booleanValue).count();
    }

    /**
     * Sends {@code request} to each vCPU of {@code targets} of a live machine, under a pause of
     * every vCPU if {@code pauseAll}, in one Big Lock acquisition, and waits for the answers.
     * Returns null for a machine that has ended if {@code endedOk}; otherwise such a machine is
     * refused.
     */
    private <T> List<T> onLiveVcpus(String what, List<Vcpu> targets, Function<Vcpu, VcpuRequest<T>> request,
                                    boolean pauseAll, boolean endedOk) {
        CpuManager.Pause pause = null;
        List<PendingRequest<T>> pending;
        bql.lock(monitorSite);
        try {
            boolean ended = !state.isLive() && state != MachineState.CREATED && state != MachineState.DESTROYED;
            if (ended && endedOk) {
                return null;
            }
            if (!state.isLive()) {
                throw new InvalidStateException(what, state, endedOk ? "running, paused, shut down or failed"
                        : "running or paused");
            }
            pause = pauseAll ? cpus.raiseLocked() : null;
            pending = cpus.submitTo(targets, request);
        } finally {
            bql.unlock();
        }
        try {
            List<T> answers = cpus.awaitEach(targets, pending);
            if (pending.get(0).request() instanceof VcpuRequest.ReadState) {
                long last = pending.get(0).answeredNanos();
                for (PendingRequest<T> p : pending) {
                    last = Math.max(last, p.answeredNanos());
                }
                platform.metrics().registerReadHandback(System.nanoTime() - last);
            }
            return answers;
        } finally {
            if (pause != null) {
                cpus.release(pause, monitorSite);
            }
        }
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
            String was = state.tag();
            transition(MachineState.DESTROYED); // before the exit, as in end()
            exit.complete(new MachineExit(MachineExit.Kind.DESTROYED, -1, "destroyed while " + was));
            cpus.requestStopAll();
        } finally {
            bql.unlock();
        }
        List<String> stuck = cpus.joinAll();
        if (!stuck.isEmpty()) {
            // A thread still in KVM_RUN would fault on unmapped memory; leak the resources instead.
            platform.closeMetricsOnly();
            throw new VcpuTimeoutException(config.id() + ": vCPU threads did not end within "
                    + config.vcpuTimeoutMs() + " ms (" + String.join(", ", stuck) + "); KVM objects left open");
        }
        platform.closer().closeAll();
    }

    @Override
    public void close() {
        destroy();
    }

    /** Waits for the run to end; returns how it ended, or null on timeout. */
    public MachineExit awaitExit(long timeoutMs) throws InterruptedException {
        try {
            return exit.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            return null;
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** The ACPI power button ({@code system_powerdown}): an event for the guest, which decides what to do. */
    public void pressPowerButton() {
        locked(monitorSite, () -> {
            requireLive("system_powerdown");
            platform.pressPowerButton();
        });
    }

    /** Feeds bytes to the serial port's receiver, as if typed on its terminal. */
    public void sendSerialInput(byte[] data) {
        locked(serviceSite, () -> platform.serialInput(data));
    }

    private void locked(LockSite site, Runnable r) {
        bql.lock(site);
        try {
            r.run();
        } finally {
            bql.unlock();
        }
    }

    /** Ends the run (the guest asked, or it faulted) as {@code how}, the machine going to {@code next}. Big Lock held; a second end does nothing. */
    void end(MachineExit how, MachineState next) {
        bql.assertHeld("machine end");
        if (!state.isLive()) {
            return;
        }
        transition(next); // first: whoever the exit wakes reads the state the machine ended in
        exit.complete(how); // a no-op if the run has already ended
        cpus.requestStopAll();
    }

    CpuManager cpus() {
        return cpus;
    }

    Platform platform() {
        return platform;
    }
}
