package io.jvmm.core.vcpu;

import io.jvmm.core.devices.Bus;
import io.jvmm.core.lock.BigLock;
import io.jvmm.core.lock.LockContractViolation;
import io.jvmm.core.lock.LockRole;
import io.jvmm.core.lock.LockSite;
import io.jvmm.kvm.VcpuExit;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One virtual CPU and its platform thread {@code vcpu-N}.
 *
 * <h2>The loop</h2>
 * The thread writes its initial register state (its own, so without the lock), then takes the
 * Big Lock once and from then on holds it whenever it is outside KVM_RUN and not waiting, until it
 * ends. Each turn of the loop, with the lock held:
 * <ol>
 *   <li>runs queued requests: work items (each with the lock held, on this thread), a pending
 *       start of a powered-off CPU, a stop;</li>
 *   <li>asks the {@link VcpuLoopPolicy} whether it must wait; if so it waits on its own wake-up
 *       signal with the lock released, and loops;</li>
 *   <li>otherwise calls the guest-entry step, which returns with the lock held on every path.</li>
 * </ol>
 * After the step the loop checks that the lock is still held, and counts turns that neither
 * entered the guest nor waited: a vCPU that loops with the lock held is reported as a
 * {@link LockContractViolation} naming the thread, not left to starve the others.
 *
 * <h2>Requests from other threads</h2>
 * Made with the Big Lock held: set the request, then {@link #requestExit()} (flag, kick, wake).
 * The kick gets the thread out of KVM_RUN even when it sleeps in the kernel; the flag is checked
 * before every entry, so a request that lands between the check and KVM_RUN still gets an
 * immediate exit ({@code immediate_exit} and the pending signal). Nothing here ever waits for the
 * vCPU with the lock held: callers release it and wait with a timeout ({@link #await}).
 */
public final class Vcpu {
    /** Turns of the loop that neither enter the guest nor wait before the loop calls it a lock-holding spin. */
    static final int SPIN_LIMIT = 100_000;
    private static final long IDLE_WAIT_MS = 1000;

    private final int index;
    private final String name;
    private final VcpuBackend backend;
    private final VcpuState state;
    private final VcpuHost host;
    private final BigLock bql;
    private final VcpuLoopPolicy loop;
    private final LockSite loopSite;
    private final LockSite exitSite;
    private final LockSite wakeSite;
    private final CountDownLatch stopped = new CountDownLatch(1);
    // Where-strings of the contract checks, built once: the checks run on every exit.
    private final String atLoop;
    private final String atEntry;
    private final String atKvmRun;

    // Set once by start(), before the thread exists.
    private volatile boolean startsPoweredOff;

    // Guarded by the Big Lock.
    private VcpuRunState runState = VcpuRunState.CREATED;
    private final ArrayDeque<WorkItem> work = new ArrayDeque<>();
    private Consumer<Vcpu> pendingStart;
    private boolean stopRequested;

    // Read by other threads without the lock.
    private volatile VcpuRunState publishedState = VcpuRunState.CREATED;
    private volatile boolean exitRequested;
    private volatile boolean parked;
    private volatile boolean inGuest;
    private volatile long guestEnteredNanos;
    private volatile long maxBqlWaitNanos;
    private volatile Throwable crash;
    private volatile long hostTid;
    private volatile Thread thread;
    /** The one thread allowed to touch {@link #state}: the vCPU thread, or a reader after it ended. */
    private volatile Thread owner;

    // The wake-up signal: a binary semaphore, so a wake before the wait is not lost.
    private final Object wakeLock = new Object();
    private boolean wakePending;

    private record WorkItem(String what, Function<Vcpu, ?> task, CompletableFuture<Object> result) {
    }

    /**
     * A vCPU with index {@code index} (its position in the machine; 0 is the boot CPU).
     *
     * @param loop the loop policy; {@link VcpuLoopPolicy#STANDARD} in the product
     */
    public Vcpu(int index, VcpuBackend backend, VcpuState state, VcpuHost host, VcpuLoopPolicy loop) {
        this.index = index;
        this.name = "vcpu-" + index;
        this.backend = backend;
        this.state = state;
        this.host = host;
        this.bql = host.bql();
        this.loop = loop;
        this.loopSite = bql.site(LockRole.VCPU, "vcpu-loop");
        this.exitSite = bql.site(LockRole.VCPU, "vcpu-exit");
        this.wakeSite = bql.site(LockRole.VCPU, "vcpu-wake");
        this.atLoop = name + " loop";
        this.atEntry = name + " guest entry";
        this.atKvmRun = name + " KVM_RUN";
    }

    /** The CPU index (0 .. n-1). */
    public int index() {
        return index;
    }

    /** The thread name, {@code vcpu-N}. */
    public String name() {
        return name;
    }

    /** The APIC ID. */
    public int apicId() {
        return backend.apicId();
    }

    /** The hypervisor vCPU. */
    public VcpuBackend backend() {
        return backend;
    }

    /** The register state; only for code running on this vCPU's thread (work items, the loop). */
    public VcpuState state() {
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException(name + "'s register state is confined to its own thread, not "
                    + Thread.currentThread().getName());
        }
        return state;
    }

    /**
     * Runs {@code task} on the calling thread once the vCPU thread has ended (a machine that shut
     * down or failed): nobody runs the vCPU any more, so its state may be read from here.
     * Callers are serialized.
     */
    public synchronized <T> T withStoppedThread(Function<Vcpu, T> task) {
        if (stopped.getCount() != 0) {
            throw new IllegalStateException(name + " is still running; use submit");
        }
        owner = Thread.currentThread();
        try {
            return task.apply(this);
        } finally {
            owner = null;
        }
    }

    /** The run state as last published by the vCPU thread (no lock needed). */
    public VcpuRunState runState() {
        return publishedState;
    }

    /** The host thread id of the vCPU thread, once it runs (0 before). */
    public long hostThreadId() {
        return hostTid;
    }

    /** The longest the vCPU thread has waited for the Big Lock, in nanoseconds. */
    public long maxBqlWaitNanos() {
        return maxBqlWaitNanos;
    }

    /** Why the vCPU thread died, if it did. */
    public Throwable crash() {
        return crash;
    }

    /** Whether the vCPU is out of the guest and will stay out until woken: waiting, or stopped. */
    public boolean isParked() {
        return parked || publishedState == VcpuRunState.STOPPED;
    }

    /** Whether the thread is inside KVM_RUN right now. */
    public boolean inGuest() {
        return inGuest;
    }

    // ---------------------------------------------------------------- lifecycle

    /**
     * Starts the thread. {@code setup} runs first on the new thread, before it takes the Big Lock
     * (it writes the vCPU's FULL-level initial state, which is confined to that thread); the vCPU
     * then runs, or waits powered off.
     */
    public void start(boolean poweredOff, Consumer<Vcpu> setup) {
        startsPoweredOff = poweredOff;
        Thread t = new Thread(() -> threadMain(poweredOff, setup), name);
        t.setDaemon(true);
        thread = t;
        owner = t;
        t.start();
    }

    /** Asks the thread to end. Call with the Big Lock held. */
    public void requestStop() {
        bql.assertHeld(name + " stop request");
        stopRequested = true;
        requestExit();
    }

    /** Waits up to {@code timeoutMs} for the thread to end; returns whether it did. */
    public boolean join(long timeoutMs) throws InterruptedException {
        Thread t = thread;
        return t == null || stopped.await(timeoutMs, TimeUnit.MILLISECONDS);
    }

    /**
     * Gets the vCPU out of the guest and to the top of its loop: sets the flag, kicks, wakes. Any
     * thread. A parked vCPU is not kicked (a kick would only cost it a spurious exit later): the
     * flag is set before {@code parked} is read here, and the vCPU clears {@code parked} before it
     * reads the flag on its way into the guest, so one of the two always sees the other.
     */
    public void requestExit() {
        exitRequested = true;
        if (!parked) {
            backend.kick();
        }
        wake();
    }

    /** Wakes the thread if it waits. Any thread. */
    public void wake() {
        synchronized (wakeLock) {
            wakePending = true;
            wakeLock.notifyAll();
        }
    }

    /**
     * Queues {@code task} to run on this vCPU's thread with the Big Lock held; the caller must
     * hold the Big Lock now and must release it before waiting for the result.
     */
    @SuppressWarnings("unchecked")
    public <T> CompletableFuture<T> submit(String what, Function<Vcpu, T> task) {
        bql.assertHeld(name + " submit " + what);
        CompletableFuture<Object> f = new CompletableFuture<>();
        if (runState == VcpuRunState.STOPPED || stopRequested) {
            f.completeExceptionally(new VcpuStoppedException(name, what, true));
        } else {
            work.add(new WorkItem(what, task, f));
            requestExit();
        }
        return (CompletableFuture<T>) (CompletableFuture<?>) f;
    }

    /**
     * Asks a powered-off vCPU to start; {@code start} runs on its thread (Big Lock held) before
     * it enters the guest. Call with the Big Lock held. A vCPU started powered off whose thread
     * has not reached its loop yet (still CREATED: on a busy host the last of 32 threads can
     * take milliseconds) is powered off too; its thread takes the request on arrival.
     *
     * @return false if the vCPU is not powered off (or a start is already pending)
     */
    public boolean requestStart(Consumer<Vcpu> start) {
        bql.assertHeld(name + " start request");
        boolean poweredOff = runState == VcpuRunState.POWERED_OFF
                || (runState == VcpuRunState.CREATED && startsPoweredOff);
        if (!poweredOff || pendingStart != null || stopRequested) {
            return false;
        }
        pendingStart = start;
        requestExit();
        return true;
    }

    /** Sets the run state; only on this vCPU's thread with the Big Lock held (work items, start). */
    public void setRunState(VcpuRunState s) {
        bql.assertHeld(name + " run state change");
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException(name + "'s run state is changed only by its own thread");
        }
        runState = s;
        publishedState = s;
    }

    /**
     * Waits for {@code f} (a work item of {@code vcpu}) without the Big Lock, at most {@code timeoutMs}.
     *
     * @throws VcpuTimeoutException naming the thread and what it was doing
     */
    public static <T> T await(Vcpu vcpu, CompletableFuture<T> f, String what, long timeoutMs) {
        vcpu.bql.assertNotHeld("waiting for " + vcpu.name + " to " + what);
        try {
            return f.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new VcpuTimeoutException(vcpu.name + " did not " + what + " within " + timeoutMs + " ms: "
                    + vcpu.describe() + "; BQL holder: " + vcpu.bql.holder().map(Object::toString).orElse("none"));
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException re) {
                throw re;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VcpuTimeoutException("Interrupted while waiting for " + vcpu.name + " to " + what);
        }
    }

    /** What the thread is doing, for timeout messages: "vcpu-3 (running, in KVM_RUN for 2013 ms)". */
    public String describe() {
        StringBuilder sb = new StringBuilder(name).append(" (").append(publishedState.tag());
        if (inGuest) {
            sb.append(", in KVM_RUN for ").append((System.nanoTime() - guestEnteredNanos) / 1_000_000).append(" ms");
        } else if (parked) {
            sb.append(", waiting");
        } else {
            sb.append(", outside the guest");
        }
        return sb.append(')').toString();
    }

    // ---------------------------------------------------------------- the loop

    /** Whether the vCPU may enter the guest now. Called with the Big Lock held. */
    public boolean canRun() {
        return (runState == VcpuRunState.RUNNING || runState == VcpuRunState.PAUSED) && !host.pauseRequested();
    }

    private void lock(LockSite site) {
        long w = bql.lock(site);
        if (w > maxBqlWaitNanos) {
            maxBqlWaitNanos = w;
        }
    }

    private void threadMain(boolean poweredOff, Consumer<Vcpu> setup) {
        try {
            backend.bindToCurrentThread();
            hostTid = currentHostTid();
            batchScheduling();
            // The vCPU's own register state needs no Big Lock: it is confined to this thread.
            setup.accept(this);
        } catch (RuntimeException e) {
            crash = e;
            lock(loopSite);
            try {
                host.vcpuCrashed(this, e);
            } finally {
                finish();
            }
            return;
        }
        lock(loopSite);
        try {
            setRunState(poweredOff ? VcpuRunState.POWERED_OFF : VcpuRunState.RUNNING);
            int spins = 0;
            while (true) {
                bql.assertHeld(atLoop);
                if (processRequests()) {
                    break;
                }
                if (loop.mustWait(this)) {
                    idleWait();
                    spins = 0;
                    continue;
                }
                if (runState == VcpuRunState.PAUSED) {
                    setRunState(VcpuRunState.RUNNING);
                }
                if (parked) {
                    parked = false;
                    host.parkedChanged();
                }
                StepResult r = loop.enterGuest(this);
                if (!bql.isHeldByCurrentThread()) {
                    throw new LockContractViolation(name + " returned from the guest-entry step (" + r + ") without "
                            + bql.name() + "; the step must return with it held on every path");
                }
                if (r == StepResult.ENTERED) {
                    spins = 0;
                } else if (++spins >= SPIN_LIMIT && bql.checksEnabled()) {
                    throw new LockContractViolation(name + " looped " + spins + " times holding " + bql.name()
                            + " without entering the guest or waiting (last step: " + r + ", state "
                            + runState.tag() + "); a vCPU that cannot run must wait with the lock released");
                }
            }
        } catch (RuntimeException | LockContractViolation e) {
            crash = e;
            if (!bql.isHeldByCurrentThread()) {
                lock(loopSite);
            }
            host.vcpuCrashed(this, e);
        } finally {
            finish();
        }
    }

    private void finish() {
        try {
            if (!bql.isHeldByCurrentThread()) {
                lock(loopSite);
            }
            runState = VcpuRunState.STOPPED;
            publishedState = VcpuRunState.STOPPED;
            WorkItem w;
            while ((w = work.poll()) != null) {
                w.result.completeExceptionally(new VcpuStoppedException(name, w.what, false));
            }
            parked = true;
            host.parkedChanged();
        } finally {
            if (bql.isHeldByCurrentThread()) {
                bql.unlock();
            }
            backend.unbindFromCurrentThread();
            owner = null;
            stopped.countDown();
        }
    }

    /** Runs pending requests; returns true when the thread must end. */
    private boolean processRequests() {
        exitRequested = false;
        WorkItem w;
        while ((w = work.poll()) != null) {
            try {
                w.result.complete(w.task.apply(this));
            } catch (RuntimeException e) {
                w.result.completeExceptionally(e);
            }
            bql.assertHeld(name + " after work item " + w.what);
        }
        if (stopRequested) {
            return true;
        }
        if (pendingStart != null) {
            Consumer<Vcpu> start = pendingStart;
            pendingStart = null;
            start.accept(this);
            setRunState(VcpuRunState.RUNNING);
        }
        return false;
    }

    /** Waits for a wake-up with the Big Lock released; returns with it held. */
    private void idleWait() {
        if (runState == VcpuRunState.RUNNING) {
            setRunState(VcpuRunState.PAUSED);
        }
        if (!parked) {
            parked = true;
            host.parkedChanged();
        }
        bql.unlock();
        try {
            synchronized (wakeLock) {
                if (!wakePending) {
                    try {
                        wakeLock.wait(IDLE_WAIT_MS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                wakePending = false;
            }
        } finally {
            lock(wakeSite);
        }
    }

    /**
     * The guest-entry step: writes pending modifications at RUNTIME level, releases the Big Lock,
     * runs KVM_RUN, takes the lock back and dispatches the exit. Called with the lock held;
     * returns with it held on every path, exceptions included.
     */
    public StepResult enterGuestOnce() {
        bql.assertHeld(atEntry);
        state.flush(WritebackLevel.RUNTIME);
        state.invalidate();
        if (exitRequested) {
            return StepResult.REQUEST_PENDING;
        }
        VcpuExit exit;
        boolean handled;
        guestEnteredNanos = System.nanoTime();
        inGuest = true;
        bql.unlock();
        try {
            exit = runGuest();
            handled = dispatchWithoutLock(exit);
        } finally {
            inGuest = false;
            lock(exitSite);
        }
        host.exitObserved(exit);
        if (!handled) {
            dispatch(exit);
        }
        return StepResult.ENTERED;
    }

    /**
     * KVM_RUN on this vCPU. The contract check that no thread enters the guest holding the Big
     * Lock lives here, the one place the loop reaches the hypervisor.
     */
    public VcpuExit runGuest() {
        bql.assertNotHeld(atKvmRun);
        return backend.run();
    }

    /** I/O to a device that does its own locking is handled before the Big Lock is taken back. */
    private boolean dispatchWithoutLock(VcpuExit exit) {
        int port;
        if (exit instanceof VcpuExit.IoOut o) {
            port = o.port();
        } else if (exit instanceof VcpuExit.IoIn i) {
            port = i.port();
        } else {
            return false;
        }
        Bus.Range r = host.pio().find(port);
        if (r == null || !r.device().ownLocking()) {
            return false;
        }
        dispatchIo(exit);
        return true;
    }

    private void dispatchIo(VcpuExit exit) {
        Bus pio = host.pio();
        if (exit instanceof VcpuExit.IoOut o) {
            for (int i = 0; i < o.count(); i++) {
                pio.write(o.port(), o.size(), o.value(i), index);
            }
        } else if (exit instanceof VcpuExit.IoIn in) {
            byte[] data = new byte[in.size() * in.count()];
            for (int i = 0; i < in.count(); i++) {
                long v = pio.read(in.port(), in.size(), index);
                for (int b = 0; b < in.size(); b++) {
                    data[i * in.size() + b] = (byte) (v >>> (8 * b));
                }
            }
            backend.completeIoIn(data);
        }
    }

    private void dispatch(VcpuExit exit) {
        if (exit instanceof VcpuExit.IoOut || exit instanceof VcpuExit.IoIn) {
            dispatchIo(exit);
        } else if (exit instanceof VcpuExit.MmioWrite w) {
            host.mmio().write(w.address(), w.length(), w.value(), index);
        } else if (exit instanceof VcpuExit.MmioRead r) {
            backend.completeMmioRead(host.mmio().read(r.address(), r.length(), index));
        } else if (exit instanceof VcpuExit.Interrupted) {
            return;
        } else if (exit instanceof VcpuExit.Hlt) {
            setRunState(VcpuRunState.HALTED);
        } else if (exit instanceof VcpuExit.Shutdown) {
            host.guestFault(this, "triple fault (KVM_EXIT_SHUTDOWN) on " + name + where());
        } else if (exit instanceof VcpuExit.InternalError e) {
            host.guestFault(this, "KVM internal error on " + name + ": suberror " + e.suberror() + " ("
                    + internalErrorName(e.suberror()) + ")" + where());
        } else if (exit instanceof VcpuExit.FailEntry f) {
            host.guestFault(this, "KVM could not enter the guest on " + name + ": hardware reason 0x"
                    + Long.toHexString(f.hardwareReason()) + where());
        } else if (exit instanceof VcpuExit.SystemEvent e) {
            switch (e.type()) {
                case 1 -> host.guestPowerOffRequest(this);
                case 2 -> host.guestResetRequest(this);
                default -> host.guestFault(this, "guest system event " + e.type() + " (crash) on " + name);
            }
        } else if (exit instanceof VcpuExit.Exception x) {
            host.guestFault(this, "unhandled guest exception " + x.vector() + " on " + name + where());
        } else if (exit instanceof VcpuExit.Unknown u) {
            host.guestFault(this, "unhandled KVM exit reason " + u.reason() + " on " + name + where());
        }
    }

    private static String internalErrorName(int suberror) {
        return switch (suberror) {
            case 1 -> "emulation failure";
            case 2 -> "exception while delivering an exception";
            case 3 -> "event delivery failed";
            case 4 -> "unexpected exit reason";
            default -> "unknown";
        };
    }

    /** " at EIP=..." from a read-only look at the registers, or "" if they cannot be read. */
    private String where() {
        try {
            VcpuSnapshot s = state.read();
            return String.format(" at %s=%x", s.sregs().longMode() ? "RIP" : "EIP", s.regs().rip());
        } catch (RuntimeException e) {
            return "";
        }
    }

    /**
     * A guest spinning in a vCPU must not delay the monitor's threads on a busy host: SCHED_BATCH
     * keeps the vCPU's CPU share but gives up wake-up preemption. Best effort: a host that refuses
     * (a seccomp filter, say) only loses that.
     */
    private static void batchScheduling() {
        try {
            io.jvmm.kvm.Threads.useBatchScheduling();
        } catch (io.jvmm.kvm.KvmException e) {
            // scheduling class unchanged; nothing else depends on it
        }
    }

    private static long currentHostTid() {
        return io.jvmm.kvm.Threads.currentTid();
    }
}
