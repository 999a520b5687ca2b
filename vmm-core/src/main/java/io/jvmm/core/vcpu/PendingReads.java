package io.jvmm.core.vcpu;

import java.util.ArrayDeque;

/**
 * A vCPU's register reads waiting to be answered: the one kind of request its thread answers
 * without the Big Lock (see {@link Vcpu}). Filled by threads that hold the lock, drained by the
 * vCPU thread, which need not hold it; the queue's own monitor is a leaf lock, held only to add or
 * take an entry.
 */
final class PendingReads {
    private final String vcpu;
    private final ArrayDeque<PendingRequest<VcpuSnapshot>> queue = new ArrayDeque<>();
    /** Mirrors {@code queue.isEmpty()}, for the vCPU's check before and after every KVM_RUN. */
    private volatile boolean empty = true;

    PendingReads(String vcpu) {
        this.vcpu = vcpu;
    }

    void offer(PendingRequest<VcpuSnapshot> read) {
        synchronized (queue) {
            queue.add(read);
            empty = false;
        }
    }

    /** Whether nothing is queued; no lock taken. */
    boolean isEmpty() {
        return empty;
    }

    /** The next read, or null. */
    PendingRequest<VcpuSnapshot> poll() {
        if (empty) {
            return null;
        }
        synchronized (queue) {
            PendingRequest<VcpuSnapshot> p = queue.poll();
            empty = queue.isEmpty();
            return p;
        }
    }

    /** Answers every queued read with {@link VcpuStoppedException}: the thread has ended. */
    void failAll() {
        PendingRequest<VcpuSnapshot> p;
        while ((p = poll()) != null) {
            p.fail(new VcpuStoppedException(vcpu, p.request().what(), false));
        }
    }
}
