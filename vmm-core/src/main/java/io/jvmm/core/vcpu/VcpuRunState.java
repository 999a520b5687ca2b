package io.jvmm.core.vcpu;

/**
 * Where a vCPU thread is in its life. Transitions (all made by the vCPU's own thread, with the
 * Big Lock held):
 * <pre>
 *   CREATED --start--> RUNNING | POWERED_OFF
 *   POWERED_OFF --start-CPU request--> RUNNING
 *   CREATED (started powered off) --start-CPU request--> RUNNING, on reaching its loop
 *   RUNNING --pause requested--> PAUSED --resume--> RUNNING
 *   RUNNING --KVM_EXIT_HLT (no in-kernel APIC)--> HALTED --reset--> RUNNING
 *   any --reset--> RUNNING | POWERED_OFF
 *   any --stop--> STOPPED (final)
 * </pre>
 * RUNNING includes a vCPU sleeping inside KVM_RUN (halted in the in-kernel APIC, or an AP waiting
 * for INIT/SIPI): to user space it is running. POWERED_OFF, PAUSED and HALTED vCPUs wait on their
 * wake-up signal with the Big Lock released.
 */
public enum VcpuRunState {
    CREATED, RUNNING, PAUSED, POWERED_OFF, HALTED, STOPPED;

    /** Lower-case name for metrics and JSON. */
    public String tag() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
