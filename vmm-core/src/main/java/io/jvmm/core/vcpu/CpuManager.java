package io.jvmm.core.vcpu;

import io.jvmm.core.lock.BigLock;
import io.jvmm.core.lock.LockSite;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The one owner of a machine's vCPUs: it starts their threads, pauses them (every vCPU out of the
 * guest and parked), sends them requests and collects the answers, stops and joins them. The
 * machine decides when; this class knows how, and nothing else talks to the vCPUs.
 *
 * <p><b>Pausing.</b> A pause is a {@link Pause} token: raising one raises the pause depth and
 * kicks every vCPU; a vCPU may enter the guest only while the depth is zero. {@link #awaitParked}
 * waits, without the Big Lock and with a timeout that names the stragglers, until every vCPU has
 * parked; from then until the token is released the token is a RESET-level {@link WriteGrant}.
 * Releasing a token twice is harmless, so every path can release in a {@code finally}.
 *
 * <p><b>Requests</b> are queued with the Big Lock held ({@link #submitEach}) and awaited without it
 * ({@link #awaitEach}), each with the deadline it was queued with; an answer that does not come in
 * time cancels its request, which then never runs.
 */
public final class CpuManager {
    private final String machineId;
    private final BigLock bql;
    private final List<Vcpu> vcpus;
    private final long timeoutMs;
    private final Object parkMonitor = new Object();

    // Guarded by the Big Lock.
    private int pauseDepth;

    /**
     * The manager of {@code vcpus} (boot CPU first) of machine {@code machineId}; every wait is
     * bounded by {@code timeoutMs}. 0 makes the waits unbounded: only the model check does that, so
     * that a lost wake-up or notification shows as a hang rather than as a delay.
     */
    public CpuManager(String machineId, BigLock bql, List<Vcpu> vcpus, long timeoutMs) {
        this.machineId = machineId;
        this.bql = bql;
        this.vcpus = List.copyOf(vcpus);
        this.timeoutMs = timeoutMs;
    }

    /** The vCPUs, boot CPU first. */
    public List<Vcpu> vcpus() {
        return vcpus;
    }

    /** The bound on every wait, in milliseconds. */
    public long timeoutMs() {
        return timeoutMs;
    }

    /**
     * Starts every vCPU thread, secondaries first, so that every vCPU the boot CPU can address
     * exists when it starts. Without the Big Lock: each new thread takes it, and thread creation
     * is slow.
     */
    public void start(boolean secondariesPoweredOff, Consumer<Vcpu> setup) {
        bql.assertNotHeld(machineId + " vCPU start");
        for (int i = 1; i < vcpus.size(); i++) {
            vcpus.get(i).start(secondariesPoweredOff, setup);
        }
        vcpus.get(0).start(false, setup);
    }

    // ---------------------------------------------------------------- pausing

    /** A raised pause: while it is held no vCPU enters the guest; once every vCPU parked, it is a RESET grant. */
    public final class Pause implements WriteGrant {
        // Guarded by the Big Lock.
        private boolean held = true;
        private volatile boolean parkedConfirmed;

        private Pause() {
        }

        @Override
        public WritebackLevel level() {
            return WritebackLevel.RESET;
        }

        /** Held, and every vCPU was seen parked under it. Checked on a vCPU thread with the Big Lock held. */
        @Override
        public boolean holds() {
            return held && parkedConfirmed;
        }

        /** Whether it has not been released. */
        public boolean held() {
            return held;
        }

        @Override
        public String toString() {
            return "RESET while " + machineId + "'s vCPUs are paused";
        }
    }

    /** Raises a pause and kicks every vCPU out of the guest. Call with the Big Lock held; does not wait. */
    public Pause raiseLocked() {
        bql.assertHeld(machineId + " pause");
        pauseDepth++;
        for (Vcpu v : vcpus) {
            v.requestExit();
        }
        return new Pause();
    }

    /** Releases {@code pause}; at depth zero the vCPUs run again. Big Lock held; a second release does nothing. */
    public void releaseLocked(Pause pause) {
        bql.assertHeld(machineId + " pause end");
        if (!pause.held) {
            return;
        }
        pause.held = false;
        pauseDepth--;
        if (pauseDepth == 0) {
            for (Vcpu v : vcpus) {
                v.wake();
            }
        }
    }

    /**
     * Raises a pause and waits until every vCPU has parked. Called without the Big Lock.
     *
     * @throws VcpuTimeoutException naming the vCPUs that did not park (the pause is released)
     */
    public Pause pause(LockSite site) {
        Pause p;
        bql.lock(site);
        try {
            p = raiseLocked();
        } finally {
            bql.unlock();
        }
        try {
            awaitParked(p);
        } catch (VcpuTimeoutException e) {
            release(p, site);
            throw e;
        }
        return p;
    }

    /** Releases {@code pause}, taking the Big Lock at {@code site}. Idempotent. */
    public void release(Pause pause, LockSite site) {
        bql.lock(site);
        try {
            releaseLocked(pause);
        } finally {
            bql.unlock();
        }
    }

    /**
     * Waits, without the Big Lock, until every vCPU is parked under {@code pause}; from then on the
     * pause is a RESET grant.
     *
     * @throws VcpuTimeoutException naming each vCPU that did not park and the Big Lock's holder
     */
    public void awaitParked(Pause pause) {
        bql.assertNotHeld("waiting for " + machineId + "'s vCPUs to park");
        long deadline = deadline();
        synchronized (parkMonitor) {
            while (true) {
                List<Vcpu> late = vcpus.stream().filter(v -> !v.isParked()).toList();
                if (late.isEmpty()) {
                    pause.parkedConfirmed = true;
                    return;
                }
                if (timeoutMs == 0) {
                    try {
                        parkMonitor.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new VcpuTimeoutException("Interrupted while waiting for " + machineId + "'s vCPUs to park");
                    }
                    continue;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new VcpuTimeoutException("vCPUs did not park within " + timeoutMs + " ms: "
                            + String.join(", ", late.stream().map(Vcpu::describe).toList())
                            + "; BQL holder: " + bql.holder().map(Object::toString).orElse("none"));
                }
                try {
                    parkMonitor.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new VcpuTimeoutException("Interrupted while waiting for " + machineId + "'s vCPUs to park");
                }
            }
        }
    }

    /** Whether any pause is raised: vCPUs must stay out of the guest. Big Lock held (vCPU threads). */
    public boolean pauseRequested() {
        return pauseDepth > 0;
    }

    /** A vCPU started or stopped waiting: wakes whoever waits for the vCPUs to park. */
    public void parkedChanged() {
        synchronized (parkMonitor) {
            parkMonitor.notifyAll();
        }
    }

    // ---------------------------------------------------------------- requests

    /** The deadline of a wait or request starting now, on the {@link System#nanoTime()} scale; none with a 0 timeout. */
    private long deadline() {
        return timeoutMs == 0 ? Long.MAX_VALUE : System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    }

    /** Queues {@code request.apply(v)} on every vCPU, with the usual deadline. Call with the Big Lock held. */
    public <T> List<PendingRequest<T>> submitEach(Function<Vcpu, VcpuRequest<T>> request) {
        return submitTo(vcpus, request);
    }

    /**
     * Queues {@code request.apply(v)} on each vCPU of {@code targets} (some of this manager's, in
     * CPU order), with the usual deadline; only those are kicked. Call with the Big Lock held.
     */
    public <T> List<PendingRequest<T>> submitTo(List<Vcpu> targets, Function<Vcpu, VcpuRequest<T>> request) {
        long deadline = deadline();
        List<PendingRequest<T>> out = new ArrayList<>(targets.size());
        for (Vcpu v : targets) {
            out.add(v.submit(request.apply(v), deadline));
        }
        return out;
    }

    /**
     * Waits, without the Big Lock, for one answer per vCPU (as {@link #submitEach} returned them);
     * returns the answers in CPU order. A request not answered by its deadline is cancelled, so it
     * never runs later; the other requests are cancelled too.
     *
     * @throws VcpuTimeoutException naming the vCPU that did not answer
     * @throws VcpuStoppedException if a vCPU thread ended before it answered
     */
    public <T> List<T> awaitEach(List<PendingRequest<T>> pending) {
        return awaitEach(vcpus, pending);
    }

    /** As {@link #awaitEach(List)}, for requests queued with {@link #submitTo} on {@code targets}. */
    public <T> List<T> awaitEach(List<Vcpu> targets, List<PendingRequest<T>> pending) {
        bql.assertNotHeld("waiting for " + machineId + "'s vCPUs to answer");
        List<T> out = new ArrayList<>(pending.size());
        try {
            for (int i = 0; i < pending.size(); i++) {
                out.add(pending.get(i).await(targets.get(i), timeoutMs));
            }
            return out;
        } catch (RuntimeException | Error e) {
            for (PendingRequest<T> p : pending) {
                p.cancel();
            }
            throw e;
        }
    }

    /**
     * Reads the vCPUs {@code targets} of a machine whose vCPU threads have all ended, on the
     * calling thread, which holds the Big Lock (so that the machine cannot be destroyed, and its
     * descriptors closed, during the read).
     */
    public List<VcpuSnapshot> readEndedLocked(List<Vcpu> targets) {
        List<VcpuSnapshot> out = new ArrayList<>(targets.size());
        for (Vcpu v : targets) {
            out.add(v.readAfterEnd());
        }
        return out;
    }

    // ---------------------------------------------------------------- stopping

    /** Asks every vCPU thread to end. Big Lock held. */
    public void requestStopAll() {
        bql.assertHeld(machineId + " stop");
        for (Vcpu v : vcpus) {
            v.requestStop();
        }
    }

    /** As {@link #joinAll}, throwing if a thread did not end. */
    public void joinAllOrThrow() {
        List<String> stuck = joinAll();
        if (!stuck.isEmpty()) {
            throw new VcpuTimeoutException(machineId + ": vCPU threads did not end within " + timeoutMs + " ms: "
                    + String.join(", ", stuck));
        }
    }

    /** Waits, without the Big Lock, up to the usual bound each, for every vCPU thread to end; returns those that did not. */
    public List<String> joinAll() {
        bql.assertNotHeld("waiting for " + machineId + "'s vCPU threads to end");
        List<String> stuck = new ArrayList<>();
        for (Vcpu v : vcpus) {
            try {
                if (!v.join(timeoutMs)) {
                    stuck.add(v.describe());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stuck.add(v.describe());
            }
        }
        return stuck;
    }
}
