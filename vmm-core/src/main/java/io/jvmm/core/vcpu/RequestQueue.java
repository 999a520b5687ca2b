package io.jvmm.core.vcpu;

import java.util.ArrayDeque;

/**
 * A vCPU's queue of {@link PendingRequest}s, with the two facts that decide what may still be
 * queued: a stop was asked for, a power-on is pending. Guarded by the Big Lock: filled by any
 * thread that holds it, drained by the vCPU thread.
 */
final class RequestQueue {
    private final String vcpu;
    private final ArrayDeque<PendingRequest<?>> queue = new ArrayDeque<>();
    private boolean stopRequested;
    private boolean powerOnPending;

    RequestQueue(String vcpu) {
        this.vcpu = vcpu;
    }

    /**
     * Queues {@code request}; answers it at once with {@link VcpuStoppedException} if the vCPU has
     * stopped or is stopping. Returns whether it was queued.
     */
    boolean offer(PendingRequest<?> request, boolean vcpuStopped) {
        if (refuse(request, vcpuStopped)) {
            return false;
        }
        if (request.request() instanceof VcpuRequest.Stop) {
            stopRequested = true;
        } else if (request.request() instanceof VcpuRequest.PowerOn) {
            powerOnPending = true;
        }
        queue.add(request);
        return true;
    }

    /**
     * Answers {@code request} at once with {@link VcpuStoppedException} if the vCPU has stopped or
     * is stopping (a request that does not go through this queue, a register read, asks here too);
     * returns whether it did.
     */
    boolean refuse(PendingRequest<?> request, boolean vcpuStopped) {
        if (vcpuStopped || stopRequested) {
            request.fail(new VcpuStoppedException(vcpu, request.request().what(), true));
            return true;
        }
        return false;
    }

    /** The next request, or null. A power-on taken off the queue is no longer pending. */
    PendingRequest<?> poll() {
        PendingRequest<?> p = queue.poll();
        if (p != null && p.request() instanceof VcpuRequest.PowerOn) {
            powerOnPending = false;
        }
        return p;
    }

    boolean isEmpty() {
        return queue.isEmpty();
    }

    /** Whether a stop has been queued: nothing more is accepted. */
    boolean stopRequested() {
        return stopRequested;
    }

    /** Whether a power-on is queued and not yet taken. */
    boolean powerOnPending() {
        return powerOnPending;
    }

    /** Answers everything still queued with {@link VcpuStoppedException}: the thread has ended. */
    void failAll() {
        PendingRequest<?> p;
        while ((p = queue.poll()) != null) {
            p.fail(new VcpuStoppedException(vcpu, p.request().what(), false));
        }
    }

    /**
     * Runs, on vCPU thread {@code v} with the Big Lock held, every queued request that
     * {@code loop} admits (the product drops those past their deadline or given up by their
     * sender); returns true when a stop was run and the thread must end.
     */
    boolean runAdmitted(Vcpu v, VcpuLoopPolicy loop) {
        PendingRequest<?> p;
        while ((p = poll()) != null) {
            if (!loop.admit(p, System.nanoTime())) {
                continue;
            }
            if (run(v, p)) {
                return true;
            }
        }
        return false;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static boolean run(Vcpu v, PendingRequest p) {
        try {
            p.complete(handle(v, p.request()));
        } catch (RuntimeException e) {
            p.fail(e);
        }
        return p.request() instanceof VcpuRequest.Stop;
    }

    /** The one match over every request but register reads, which never come here ({@link PendingReads}). */
    private static Object handle(Vcpu v, VcpuRequest<?> request) {
        if (request instanceof VcpuRequest.Reset r) {
            v.writeState(r.image(), r.grant(), r.after());
            return null;
        } else if (request instanceof VcpuRequest.PowerOn on) {
            v.writeState(on.image(), WriteGrant.whileTrue(WritebackLevel.RESET, v.name() + " is powered off",
                    () -> v.runState() == VcpuRunState.POWERED_OFF), VcpuRunState.RUNNING);
            return null;
        } else if (request instanceof VcpuRequest.InjectNmi) {
            return v.nmiThroughLint1();
        } else if (request instanceof VcpuRequest.Stop) {
            return null;
        }
        throw new IllegalArgumentException("unknown request " + request);
    }
}
