package io.jvmm.core.vcpu;

/**
 * How much of a vCPU's state a write may carry, by what the rest of the machine is doing.
 * Each level includes the ones below it.
 */
public enum WritebackLevel {
    /**
     * Other vCPUs keep running and may send this one INIT, SIPI or NMI at any moment, which the
     * kernel records in fields user space also reads. A RUNTIME write therefore never carries
     * those fields: writing a stale copy would erase an event that arrived after the read.
     */
    RUNTIME,
    /** All vCPUs are stopped after a reset (system_reset, or one CPU's power-on): events and MP state are ours to set. */
    RESET,
    /** The machine is being created or restored: everything, the TSC included. */
    FULL;

    /** Whether this level carries everything {@code other} carries. */
    public boolean includes(WritebackLevel other) {
        return ordinal() >= other.ordinal();
    }
}
