package io.jvmm.core.vcpu;

/**
 * What other threads (and the guest, through devices) may ask of a vCPU thread: a closed set of
 * types, each answered on the vCPU's own thread: {@link ReadState} without the Big Lock, between
 * two guest entries ({@code PendingReads}), the others in one match with the lock held
 * ({@code RequestQueue}). {@code T} is the answer's type.
 *
 * <p>A request is queued with a deadline ({@link PendingRequest}); one whose deadline has passed, or
 * whose sender gave up on it, is dropped, never run. Requests that write state carry the
 * {@link WriteGrant} they write under, and the write is refused if the grant has lapsed.
 */
public sealed interface VcpuRequest<T>
        permits VcpuRequest.ReadState, VcpuRequest.Reset, VcpuRequest.PowerOn, VcpuRequest.InjectNmi,
        VcpuRequest.Stop {
    /** What the request does, for messages: "read registers". */
    String what();

    /** Read every register in the safe order; writes nothing. Answered without the Big Lock. */
    record ReadState() implements VcpuRequest<VcpuSnapshot> {
        @Override
        public String what() {
            return "read registers";
        }
    }

    /**
     * Put the CPU in its reset state: write {@code image} under {@code grant} (a RESET grant held
     * by the pause that stopped every vCPU), then take run state {@code after} (RUNNING, or
     * POWERED_OFF for a secondary of a machine that starts them powered off).
     */
    record Reset(CpuImage image, VcpuRunState after, WriteGrant grant) implements VcpuRequest<Void> {
        @Override
        public String what() {
            return "reset";
        }
    }

    /**
     * Start a powered-off CPU (the guest's CPU power controller): write {@code image} at RESET
     * level for this one CPU, under a grant that holds while it is still powered off, then run.
     */
    record PowerOn(CpuImage image) implements VcpuRequest<Void> {
        @Override
        public String what() {
            return "power on";
        }
    }

    /** The NMI button for this CPU, through its LAPIC's LINT1 pin; answers whether it was delivered. */
    record InjectNmi() implements VcpuRequest<Boolean> {
        @Override
        public String what() {
            return "inject an NMI";
        }
    }

    /** End the vCPU thread. */
    record Stop() implements VcpuRequest<Void> {
        @Override
        public String what() {
            return "stop";
        }
    }
}
