package io.jvmm.core.testing;

import io.jvmm.core.vcpu.PendingRequest;
import io.jvmm.core.vcpu.StateField;
import io.jvmm.core.vcpu.VcpuLoopPolicy;
import io.jvmm.core.vcpu.WritebackLevel;
import io.jvmm.core.vcpu.WritebackPolicy;

/**
 * Sensitivity control (c), test code only: puts back the late work item. A request runs whenever
 * the vCPU reaches it, however late and whether or not its sender gave up, and a write takes its
 * level on the caller's word (no grant check). A reset item that runs after its sender timed out
 * and let the vCPUs run again then writes MP state, LAPIC and NMI pending over a running guest:
 * the seed-003 class again. Install it as both the loop policy and the writeback policy.
 */
public final class LateWorkControl implements VcpuLoopPolicy, WritebackPolicy {
    @Override
    public boolean admit(PendingRequest<?> request, long nowNanos) {
        request.claimUnconditionally();
        return true;
    }

    @Override
    public boolean writes(StateField field, WritebackLevel level) {
        return field.writtenAt(level);
    }

    @Override
    public boolean honoursGrants() {
        return false;
    }

    @Override
    public String toString() {
        return "control (c): late work items run, levels taken on the caller's word";
    }
}
