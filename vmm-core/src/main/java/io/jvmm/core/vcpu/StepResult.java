package io.jvmm.core.vcpu;

/** What one call of the guest-entry step did. */
public enum StepResult {
    /** Entered the guest (KVM_RUN) and handled the exit. */
    ENTERED,
    /** Returned before entering because a request for this vCPU is pending. */
    REQUEST_PENDING,
    /** Returned without entering because the vCPU cannot run (only a defective policy gets here). */
    NOT_RUNNABLE
}
