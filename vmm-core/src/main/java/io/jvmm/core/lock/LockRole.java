package io.jvmm.core.lock;

/** Who takes the Big Lock, for metrics and diagnostics. */
public enum LockRole {
    /** A vCPU thread: dispatching exits, running queued work, changing its own run state. */
    VCPU,
    /** The monitor: pausing vCPUs for register reads, stop/cont/reset/nmi. */
    MONITOR,
    /** The VM service and command line: creating, starting and destroying machines. */
    SERVICE;

    /** The lower-case tag value used in metrics. */
    public String tag() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
