package io.jvmm.core.testing;

import io.jvmm.core.vcpu.StepResult;
import io.jvmm.core.vcpu.Vcpu;
import io.jvmm.core.vcpu.VcpuLoopPolicy;
import io.jvmm.core.vcpu.VcpuRunState;

/**
 * Sensitivity control (b), test code only: puts back the seed-000 defect. A powered-off vCPU is
 * never "idle" (as with kvm_halt_in_kernel making cpu_thread_is_idle() false), and its
 * guest-entry step returns early, lock still held, as kvm_cpu_exec() returned EXCP_HLT. The loop
 * then turns without ever releasing the Big Lock, and the boot CPU cannot take it.
 *
 * <p>{@link #disarm()} restores the standard behaviour so a test can clean up after watching the
 * stall.
 */
public final class HaltedVcpuSpinsControl implements VcpuLoopPolicy {
    private volatile boolean armed = true;

    /** Lets the spinning vCPUs wait normally again. */
    public void disarm() {
        armed = false;
    }

    private boolean defective(Vcpu vcpu) {
        return armed && vcpu.runState() == VcpuRunState.POWERED_OFF;
    }

    @Override
    public boolean mustWait(Vcpu vcpu) {
        return !defective(vcpu) && !vcpu.canRun();
    }

    @Override
    public StepResult enterGuest(Vcpu vcpu) {
        if (defective(vcpu)) {
            return StepResult.NOT_RUNNABLE;
        }
        return vcpu.enterGuestOnce();
    }

    @Override
    public String toString() {
        return "control (b): halted vCPU spins holding the BQL";
    }
}
