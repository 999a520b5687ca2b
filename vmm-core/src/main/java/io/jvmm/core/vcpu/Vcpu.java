package io.jvmm.core.vcpu;

import io.jvmm.core.lock.BigLock;
import io.jvmm.core.lock.LockContractViolation;
import io.jvmm.core.lock.LockRole;
import io.jvmm.core.lock.LockSite;
import io.jvmm.kvm.VcpuExit;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One virtual CPU and its platform thread {@code vcpu-N}: the loop that enters the guest, handles
 * the requests other threads queue for it ({@link VcpuRequest}), and waits when it cannot run.
 * The Big Lock rules this loop keeps are written in {@link BigLock}; the states it goes through,
 * in {@link VcpuRunState}. Each turn of the loop, with the lock held:
 * <ol>
 *   <li>if the last exit left an answer for the guest (a port or MMIO read) and the vCPU is not
 *       about to enter the guest anyway, enter it once with {@code immediate_exit} so that KVM
 *       completes the instruction: a read or a pause never sees a half-done {@code in};</li>
 *   <li>run queued requests, dropping those past their deadline or given up by their sender;</li>
 *   <li>if the {@link VcpuLoopPolicy} says the vCPU must wait, wait on its own wake-up signal
 *       with the lock released; otherwise take one guest-entry step.</li>
 * </ol>
 * A turn that neither enters the guest nor waits counts toward the spin guard: a vCPU that loops
 * holding the lock is ended with a {@link LockContractViolation} naming it, not left to starve
 * the others. A thread that dies for any reason, {@link Error}s included, reports it to the
 * machine before it ends.
 *
 * <p><b>Requests from other threads</b> are queued with the Big Lock held, then {@link #requestExit}
 * sets the flag, kicks and wakes; the flag is checked before every entry, so a request that lands
 * between the check and KVM_RUN still gets an immediate exit.
 *
 * <p><b>Register reads</b> ({@link VcpuRequest.ReadState}) are the exception: they are answered
 * without the Big Lock, at the points where this thread is out of the guest with the lock
 * released and no instruction half done (no port or MMIO read waiting for its completion): right
 * before KVM_RUN, right after it returns, and when woken from a wait. A read only copies what KVM
 * holds for this vCPU, which needs this thread and nothing the lock guards; and a read's kick
 * does not set the request flag, so a vCPU kicked for a read goes back into the guest without
 * taking the lock at all, never queueing behind the other vCPUs and their reads. The kick makes
 * the next KVM_RUN return at once (its {@code immediate_exit} is set until a KVM_RUN returns), so
 * a read queued after the check before an entry is answered right after that entry.
 */
public final class Vcpu {
    /** Turns of the loop that neither enter the guest nor wait before the loop calls it a lock-holding spin. */
    public static final int SPIN_LIMIT = 100_000;
    /** How long an idle vCPU waits before it looks at its state again if nothing wakes it. */
    private static final long IDLE_WAIT_MS = 1000;

    private final int index;
    private final String name;
    private final VcpuBackend backend;
    private final VcpuState state;
    private final VcpuHost host;
    private final BigLock bql;
    private final VcpuLoopPolicy loop;
    private final ExitDispatcher exits;
    private final int spinLimit;
    private final LockSite loopSite;
    private final LockSite exitSite;
    private final LockSite wakeSite;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final WakeSignal wakeSignal = new WakeSignal();
    private final String atLoop; // where-strings of the contract checks, built once: they run on every exit
    private final String atEntry;
    private final String atKvmRun;

    // Set once by start(), before the thread exists.
    private volatile boolean startsPoweredOff;
    /** The idle wait's safety-net period; 0 (wait until woken) in the model check, where a lost wake-up must hang. */
    private long idleWaitMs = IDLE_WAIT_MS;

    // Guarded by the Big Lock.
    private VcpuRunState runState = VcpuRunState.CREATED;
    private final RequestQueue queue;
    // Filled with the Big Lock held; answered by the vCPU thread without it.
    private final PendingReads reads;

    // Confined to the vCPU thread.
    private boolean completionPending;

    // Read by other threads without the lock.
    private volatile VcpuRunState publishedState = VcpuRunState.CREATED;
    private volatile long stateSinceNanos = System.nanoTime();
    private volatile boolean exitRequested;
    private volatile boolean parked;
    private volatile boolean inGuest;
    private volatile long guestEnteredNanos;
    private volatile long maxBqlWaitNanos;
    private volatile Throwable crash;
    /** How many times another thread asked this vCPU out of the guest (requests, pauses). */
    private final AtomicLong exitRequests = new AtomicLong();
    private volatile Thread thread;
    /** The one thread allowed to touch {@link #state}: the vCPU thread, or a reader after it ended. */
    private volatile Thread owner;

    /**
     * A vCPU with index {@code index} (its position in the machine; 0 is the boot CPU).
     *
     * @param loop the loop policy; {@link VcpuLoopPolicy#STANDARD} in the product
     */
    public Vcpu(int index, VcpuBackend backend, VcpuState state, VcpuHost host, VcpuLoopPolicy loop) {
        this(index, backend, state, host, loop, SPIN_LIMIT);
    }

    /** As above, with the spin guard at {@code spinLimit} turns (tests lower it to make it reachable). */
    public Vcpu(int index, VcpuBackend backend, VcpuState state, VcpuHost host, VcpuLoopPolicy loop, int spinLimit) {
        this.index = index;
        this.name = "vcpu-" + index;
        this.backend = backend;
        this.state = state;
        this.host = host;
        this.bql = host.bql();
        this.loop = loop;
        this.spinLimit = spinLimit;
        this.exits = new ExitDispatcher(this, host, backend);
        this.queue = new RequestQueue(name);
        this.reads = new PendingReads(name);
        this.loopSite = bql.site(LockRole.VCPU, "vcpu-loop");
        this.exitSite = bql.site(LockRole.VCPU, "vcpu-exit");
        this.wakeSite = bql.site(LockRole.VCPU, "vcpu-wake");
        this.atLoop = name + " loop";
        this.atEntry = name + " guest entry";
        this.atKvmRun = name + " KVM_RUN";
    }

    /** Makes idle waits last until a wake-up (the model check's setting); call before {@link #start}. */
    Vcpu untimedIdleWaits() {
        idleWaitMs = 0;
        return this;
    }

    /** How many times this vCPU has been asked out of the guest (a request or a pause); any thread. */
    public long exitRequests() {
        return exitRequests.get();
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

    /** The hypervisor vCPU (for its descriptor's lifetime and write accounting; state goes through {@link #state()}). */
    public VcpuBackend backend() {
        return backend;
    }

    /** The register state; only for code running on this vCPU's thread (requests, the loop, set-up). */
    public VcpuState state() {
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException(name + "'s register state is confined to its own thread, not "
                    + Thread.currentThread().getName());
        }
        return state;
    }

    /** The run state as last published by the vCPU thread (no lock needed). */
    public VcpuRunState runState() {
        return publishedState;
    }

    /** When the run state last changed to a different state ({@link System#nanoTime()}); for metrics. */
    public long runStateSinceNanos() {
        return stateSinceNanos;
    }

    /** The host thread id of the vCPU thread, once it runs (0 before). */
    public long hostThreadId() {
        return backend.hostThreadId();
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

    // ---------------------------------------------------------------- requests from other threads

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

    /**
     * Queues {@code request}, to run before {@code deadlineNanos} ({@link System#nanoTime()}
     * scale), and gets the vCPU out of the guest for it. Call with the Big Lock held, and release
     * it before waiting for the answer ({@link PendingRequest#await}). A vCPU that has stopped, or
     * is stopping, answers at once with {@link VcpuStoppedException}. A register read is answered
     * without the lock, between two guest entries (see the class comment).
     */
    @SuppressWarnings("unchecked")
    public <T> PendingRequest<T> submit(VcpuRequest<T> request, long deadlineNanos) {
        bql.assertHeld(name + " request " + request.what());
        PendingRequest<T> p = new PendingRequest<>(request, deadlineNanos);
        if (request instanceof VcpuRequest.ReadState) {
            if (!queue.refuse(p, runState == VcpuRunState.STOPPED)) {
                reads.offer((PendingRequest<VcpuSnapshot>) p);
                kickOut(); // without the flag: the vCPU answers reads without going through its loop
            }
        } else if (queue.offer(p, runState == VcpuRunState.STOPPED) && !exitRequested) {
            // A set flag means the vCPU has not yet run its requests since it was set (it clears
            // the flag under the Big Lock before it drains the queue) and has been kicked and woken.
            requestExit();
        }
        return p;
    }

    /** Asks the thread to end, after the requests already queued. Call with the Big Lock held. */
    public void requestStop() {
        submit(new VcpuRequest.Stop(), Long.MAX_VALUE);
    }

    /**
     * Asks a powered-off vCPU to start in {@code image}: the guest's CPU power controller, with the
     * Big Lock held. A vCPU started powered off whose thread has not reached its loop yet (still
     * CREATED: on a busy host the last of 32 threads can take milliseconds) is powered off too; its
     * thread takes the request on arrival. Nobody waits for the answer, so it has no deadline.
     *
     * @return false if the vCPU is not powered off, a start is already pending, or it is stopping
     */
    public boolean requestPowerOn(CpuImage image) {
        bql.assertHeld(name + " power-on request");
        boolean poweredOff = runState == VcpuRunState.POWERED_OFF
                || (runState == VcpuRunState.CREATED && startsPoweredOff);
        if (!poweredOff || queue.powerOnPending() || queue.stopRequested()) {
            return false;
        }
        submit(new VcpuRequest.PowerOn(image), Long.MAX_VALUE);
        return true;
    }

    /**
     * Gets the vCPU out of the guest and to the top of its loop: sets the flag, kicks, wakes. Any
     * thread. A parked vCPU is not kicked: this writes the flag before it reads {@code parked},
     * and the vCPU clears {@code parked} before it reads the flag, so one of the two sees the other.
     */
    public void requestExit() {
        exitRequested = true;
        kickOut();
    }

    /**
     * Gets the vCPU out of the guest (a kick, unless it is parked) and out of its wait. A parked
     * vCPU looks at its register reads, and at the flag if {@link #requestExit} set it, when woken.
     */
    private void kickOut() {
        exitRequests.incrementAndGet();
        if (!parked) {
            backend.kick();
        }
        wake();
    }

    /** Wakes the thread if it waits. Any thread. */
    public void wake() {
        wakeSignal.signal();
    }

    /** Waits up to {@code timeoutMs} (0: as long as it takes) for the thread to end; returns whether it did. */
    public boolean join(long timeoutMs) throws InterruptedException {
        if (thread != null && timeoutMs == 0) {
            stopped.await();
            return true;
        }
        return thread == null || stopped.await(timeoutMs, TimeUnit.MILLISECONDS);
    }

    /**
     * Runs {@code read} on the calling thread once the vCPU thread has ended (a machine that shut
     * down or failed): nobody runs the vCPU any more, so its state may be read from here. The
     * caller holds the Big Lock, which keeps the machine from being destroyed meanwhile.
     */
    public VcpuSnapshot readAfterEnd() {
        bql.assertHeld(name + " post-mortem read");
        if (stopped.getCount() != 0) {
            throw new IllegalStateException(name + " is still running; submit a request instead");
        }
        owner = Thread.currentThread();
        try {
            return state.read();
        } finally {
            owner = null;
        }
    }

    /** A timeout naming this vCPU, what it was asked and what it is doing, and who holds the Big Lock. */
    public VcpuTimeoutException timeout(String what) {
        return new VcpuTimeoutException(name + " did not " + what + " in time: " + describe() + "; BQL holder: "
                + bql.holder().map(Object::toString).orElse("none"));
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

    // ---------------------------------------------------------------- the vCPU thread

    /** Whether the vCPU may enter the guest now. Called with the Big Lock held. */
    public boolean canRun() {
        return (runState == VcpuRunState.RUNNING || runState == VcpuRunState.PAUSED) && !host.pauseRequested();
    }

    /** The one place the run state changes: own thread, Big Lock held, along {@link VcpuRunState#allowedNext()}; else throws. */
    void transition(VcpuRunState next) {
        bql.assertHeld(name + " run state change");
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException(name + "'s run state is changed only by its own thread, not "
                    + Thread.currentThread().getName());
        }
        if (!runState.canBecome(next)) {
            throw new IllegalStateException(name + ": no run-state transition from " + runState + " to " + next
                    + " (allowed: " + runState.allowedNext() + ")");
        }
        if (next != runState) {
            stateSinceNanos = System.nanoTime();
        }
        runState = next;
        publishedState = next;
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
            // The vCPU's own register state needs no Big Lock: it is confined to this thread.
            setup.accept(this);
            lock(loopSite);
            transition(poweredOff ? VcpuRunState.POWERED_OFF : VcpuRunState.RUNNING);
            runLoop();
        } catch (Throwable t) {
            crash = t;
            try {
                if (!bql.isHeldByCurrentThread()) {
                    lock(loopSite);
                }
                host.vcpuCrashed(this, t);
            } catch (Throwable again) {
                t.addSuppressed(again);
            }
        } finally {
            finish();
        }
    }

    private void runLoop() {
        int spins = 0;
        while (true) {
            bql.assertHeld(atLoop);
            if (completionPending && !queue.stopRequested()
                    && (!queue.isEmpty() || !reads.isEmpty() || loop.mustWait(this))) {
                enterGuest(true);
                spins = 0;
                continue;
            }
            if (processRequests()) {
                return;
            }
            if (loop.mustWait(this)) {
                idleWait();
                spins = 0;
                continue;
            }
            if (runState == VcpuRunState.PAUSED) {
                transition(VcpuRunState.RUNNING);
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
            } else if (++spins >= spinLimit && bql.checksEnabled()) {
                throw new LockContractViolation(name + " looped " + spins + " times holding " + bql.name()
                        + " without entering the guest or waiting (last step: " + r + ", state "
                        + runState.tag() + "); a vCPU that cannot run must wait with the lock released");
            }
        }
    }

    private void finish() {
        try {
            if (!bql.isHeldByCurrentThread()) {
                lock(loopSite);
            }
            if (crash == null && !completionPending) {
                answerReads(); // asked before the stop: the state is still there to read
            }
            transition(VcpuRunState.STOPPED);
            queue.failAll();
            reads.failAll();
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

    /** Runs the queued requests the policy admits; returns true when the thread must end. */
    private boolean processRequests() {
        exitRequested = false;
        return queue.runAdmitted(this, loop);
    }

    /**
     * Answers the queued register reads the policy admits, with one read of the state KVM holds
     * now, in the safe order. On this thread, out of the guest, with no port or MMIO read waiting
     * for its completion; the Big Lock is not needed (see the class comment).
     */
    private void answerReads() {
        VcpuSnapshot now = null;
        long readNanos = 0;
        PendingRequest<VcpuSnapshot> p;
        while ((p = reads.poll()) != null) {
            if (!loop.admit(p, System.nanoTime())) {
                continue;
            }
            try {
                if (now == null) {
                    long t0 = System.nanoTime();
                    state.invalidate(); // the guest may have run since the cache was filled
                    now = state.read();
                    readNanos = System.nanoTime() - t0;
                }
                host.registerReadAnswered(p.nanosToClaim(), readNanos); // timed before the asker can see it
                p.complete(now);
            } catch (RuntimeException e) {
                p.fail(e);
            }
        }
    }

    /** Answers a reset or power-on request: writes {@code image} under {@code grant}, then takes run state {@code after}. */
    void writeState(CpuImage image, WriteGrant grant, VcpuRunState after) {
        state.write(image, grant);
        if (after != runState) {
            transition(after);
        }
    }

    /** Answers an NMI request. */
    boolean nmiThroughLint1() {
        return state.nmiThroughLint1();
    }

    /** Waits for a wake-up with the Big Lock released; returns with it held. */
    private void idleWait() {
        if (runState == VcpuRunState.RUNNING) {
            transition(VcpuRunState.PAUSED);
        }
        if (!parked) {
            parked = true;
            host.parkedChanged();
        }
        bql.unlock();
        try {
            wakeSignal.await(idleWaitMs);
            if (!completionPending) {
                answerReads();
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
        state.flush(WriteGrant.RUNTIME);
        state.invalidate();
        if (exitRequested) {
            return StepResult.REQUEST_PENDING;
        }
        enterGuest(false);
        return StepResult.ENTERED;
    }

    /**
     * Releases the Big Lock, runs KVM_RUN (with {@code immediate_exit} when {@code completeOnly}:
     * KVM completes the last I/O read and returns at once), takes the lock back and dispatches
     * the exit. Register reads are answered before and after KVM_RUN; an exit that only a kick
     * with {@link #exitRequested} clear caused (a read's kick) goes straight back into the guest
     * without the lock: whatever must stop the vCPU (a pause, a request, a stop) sets that flag
     * before it kicks, and a register write waits for the lock (only a test policy's read marks
     * anything to write). Lock held on entry and on every way out.
     */
    private void enterGuest(boolean completeOnly) {
        VcpuExit exit;
        boolean handled;
        bql.unlock();
        try {
            while (true) {
                if (!completionPending) {
                    answerReads();
                }
                guestEnteredNanos = System.nanoTime();
                inGuest = true;
                exit = completeOnly ? completeGuestExit() : runGuest();
                inGuest = false;
                completionPending = ExitDispatcher.leavesCompletion(exit);
                if (completionPending) {
                    break;
                }
                answerReads();
                if (completeOnly || !(exit instanceof VcpuExit.Interrupted)
                        || !loop.backIntoTheGuest(exitRequested, state.hasModifications())) {
                    break;
                }
                // A kick that only a register read asked for (or a stray one): nothing for the loop
                // to decide or write under the lock, so straight back into the guest.
                host.exitObserved(exit);
            }
            handled = exits.dispatchWithoutLock(exit);
        } finally {
            inGuest = false;
            lock(exitSite);
        }
        state.invalidate();
        host.exitObserved(exit);
        if (!handled) {
            exits.dispatch(exit);
        }
    }

    /** KVM_RUN, behind the check that no thread enters the guest holding the Big Lock (as {@link #completeGuestExit}). */
    public VcpuExit runGuest() {
        bql.assertNotHeld(atKvmRun);
        return backend.run();
    }

    private VcpuExit completeGuestExit() {
        bql.assertNotHeld(atKvmRun);
        return backend.completeExit();
    }
}
