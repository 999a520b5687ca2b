package io.jvmm.core.vcpu;

/**
 * A wait on vCPU threads that ran out of time. The message names each thread that did not get
 * there, what it was doing, and who held the Big Lock.
 */
public final class VcpuTimeoutException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** A timeout described by {@code message}. */
    public VcpuTimeoutException(String message) {
        super(message);
    }
}
