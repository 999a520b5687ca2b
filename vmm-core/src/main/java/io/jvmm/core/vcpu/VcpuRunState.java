package io.jvmm.core.vcpu;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * The vCPU lifecycle: where a vCPU thread is in its life, and the only transitions allowed. This
 * Javadoc is the one place the lifecycle is written; {@link #allowedNext()} is where it is
 * enforced, and every change of a vCPU's run state goes through {@code Vcpu.transition}, which
 * rejects any other with an {@link IllegalStateException} naming the vCPU, both states and the
 * cause. All changes are made by the vCPU's own thread with the Big Lock held.
 *
 * <pre>
 *   CREATED     -> RUNNING       the thread wrote its initial (FULL-level) state and starts
 *               -> POWERED_OFF   ... or the machine starts its secondaries powered off
 *   RUNNING     -> PAUSED        the machine asked every vCPU out of the guest (pause depth &gt; 0)
 *               -> HALTED        KVM_EXIT_HLT (only without an in-kernel LAPIC)
 *               -> RUNNING       reset request: the CPU's reset state was written
 *               -> POWERED_OFF   reset request on a machine whose secondaries start powered off
 *   PAUSED      -> RUNNING       the pause ended, or a reset request
 *               -> POWERED_OFF   reset request, as above
 *   HALTED      -> RUNNING | POWERED_OFF   reset request
 *   POWERED_OFF -> RUNNING       power-on request (the guest's CPU power controller) or reset
 *               -> POWERED_OFF   reset request
 *   any but STOPPED -> STOPPED   stop request, guest fault, or the thread failed (final)
 * </pre>
 *
 * RUNNING includes a vCPU sleeping inside KVM_RUN (halted in the in-kernel APIC, or an AP waiting
 * for INIT/SIPI): to user space it is running. PAUSED, HALTED and POWERED_OFF vCPUs wait on their
 * wake-up signal with the Big Lock released; a PAUSED vCPU becomes RUNNING again when it next
 * enters the guest.
 */
public enum VcpuRunState {
    CREATED, RUNNING, PAUSED, POWERED_OFF, HALTED, STOPPED;

    /** The states this one may change to. */
    public Set<VcpuRunState> allowedNext() {
        return switch (this) {
            case CREATED -> EnumSet.of(RUNNING, POWERED_OFF, STOPPED);
            case RUNNING -> EnumSet.of(PAUSED, HALTED, RUNNING, POWERED_OFF, STOPPED);
            case PAUSED -> EnumSet.of(RUNNING, POWERED_OFF, STOPPED);
            case HALTED -> EnumSet.of(RUNNING, POWERED_OFF, STOPPED);
            case POWERED_OFF -> EnumSet.of(RUNNING, POWERED_OFF, STOPPED);
            case STOPPED -> EnumSet.noneOf(VcpuRunState.class);
        };
    }

    /** Whether a vCPU in this state may change to {@code next}. */
    public boolean canBecome(VcpuRunState next) {
        return allowedNext().contains(next);
    }

    /** Lower-case name for metrics and JSON. */
    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }
}
