package io.jvmm.core.vcpu;

/**
 * Work was asked of a vCPU thread that had ended, or that ended before it ran the work: the
 * machine shut down, failed or was destroyed under the caller. The machine turns this into an
 * answer about its own state; it is not a fault of the vCPU.
 */
public final class VcpuStoppedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /** {@code vcpu} could not run {@code what}. */
    public VcpuStoppedException(String vcpu, String what, boolean beforeSubmit) {
        super(beforeSubmit ? vcpu + " has stopped; cannot " + what : vcpu + " stopped before it could " + what);
    }
}
