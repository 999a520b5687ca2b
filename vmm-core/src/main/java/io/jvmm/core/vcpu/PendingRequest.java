package io.jvmm.core.vcpu;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link VcpuRequest} in a vCPU's queue: its deadline, its answer, and who owns it now. The
 * vCPU thread {@linkplain #claim claims} a request before running it, and only before its
 * deadline; a sender that stops waiting {@linkplain #cancel cancels} it. Both are one atomic step
 * on the same field, so exactly one of them wins: a request is either run (and its sender waits
 * for the answer that is already coming) or dropped, never run after its sender gave up.
 */
public final class PendingRequest<T> {
    private static final int QUEUED = 0;
    private static final int CLAIMED = 1;
    private static final int CANCELLED = 2;
    private static final int EXPIRED = 3;

    private final VcpuRequest<T> request;
    private final long deadlineNanos;
    private final CompletableFuture<T> answer = new CompletableFuture<>();
    private final AtomicInteger phase = new AtomicInteger(QUEUED);
    private final long queuedNanos = System.nanoTime();
    // Written by the vCPU thread before it completes the answer, read after the answer is seen.
    private long claimedNanos;
    private long answeredNanos;

    /** {@code request}, to be run before {@code deadlineNanos} ({@link System#nanoTime()} scale). */
    PendingRequest(VcpuRequest<T> request, long deadlineNanos) {
        this.request = request;
        this.deadlineNanos = deadlineNanos;
    }

    /** The request. */
    public VcpuRequest<T> request() {
        return request;
    }

    /**
     * The vCPU thread takes the request to run it. Fails if the sender cancelled it or if its
     * deadline has passed at {@code nowNanos}; the request is then answered with
     * {@link RequestDroppedException} and must not run.
     */
    public boolean claim(long nowNanos) {
        if (nowNanos - deadlineNanos >= 0) {
            if (phase.compareAndSet(QUEUED, EXPIRED)) {
                answer.completeExceptionally(new RequestDroppedException(request.what(), "its deadline passed"));
            }
            return false;
        }
        if (phase.compareAndSet(QUEUED, CLAIMED)) {
            claimedNanos = nowNanos;
            return true;
        }
        return false;
    }

    /**
     * Takes the request regardless of its deadline and of its sender having given up. Only a test
     * control that puts back the late-work defect calls this; the product never does.
     */
    public void claimUnconditionally() {
        claimedNanos = System.nanoTime();
        phase.set(CLAIMED);
    }

    /** Whether the vCPU thread has taken it. */
    public boolean claimed() {
        return phase.get() == CLAIMED;
    }

    /** The sender gives up: true if the request will now never run, false if the vCPU already runs it. */
    public boolean cancel() {
        if (phase.compareAndSet(QUEUED, CANCELLED)) {
            answer.completeExceptionally(new RequestDroppedException(request.what(), "its sender gave up"));
            return true;
        }
        return phase.get() != CLAIMED;
    }

    void complete(T value) {
        answeredNanos = System.nanoTime();
        answer.complete(value);
    }

    /**
     * From queueing to the vCPU thread claiming it, in nanoseconds: the kick and the way out of
     * the guest. Valid once the answer is seen (the future's completion publishes it).
     */
    public long nanosToClaim() {
        return claimedNanos - queuedNanos;
    }

    /** When the vCPU thread answered ({@link System#nanoTime()} scale); valid once the answer is seen. */
    public long answeredNanos() {
        return answeredNanos;
    }

    void fail(Throwable t) {
        answer.completeExceptionally(t);
    }

    /** The answer, once there is one. */
    public CompletableFuture<T> answer() {
        return answer;
    }

    /**
     * Waits for the answer until the deadline, then gives up: cancels the request so that it never
     * runs. If the vCPU had already claimed it, waits for the answer that is coming (it runs with
     * the Big Lock held and needs no one else), at most {@code graceMs} longer.
     *
     * @throws VcpuTimeoutException naming the vCPU and what it was doing
     */
    public T await(Vcpu vcpu, long graceMs) {
        try {
            if (deadlineNanos == Long.MAX_VALUE) {
                return answer.get();
            }
            long left = deadlineNanos - System.nanoTime();
            try {
                return answer.get(Math.max(0, left), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                if (cancel()) {
                    throw vcpu.timeout(request.what());
                }
                return answer.get(graceMs, TimeUnit.MILLISECONDS);
            }
        } catch (TimeoutException e) {
            throw vcpu.timeout(request.what());
        } catch (ExecutionException e) {
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
            cancel();
            throw new VcpuTimeoutException("Interrupted while waiting for " + vcpu.name() + " to " + request.what());
        }
    }
}
