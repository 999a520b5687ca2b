package io.jvmm.core.testing;

import io.jvmm.core.vcpu.StateField;
import io.jvmm.core.vcpu.WritebackLevel;
import io.jvmm.core.vcpu.WritebackPolicy;

/**
 * Sensitivity control (a), test code only: puts back the seed-003 defect. A read marks the vCPU
 * dirty (as QEMU's cpu_synchronize_state did), and the next entry writes everything that was read
 * back at runtime level: registers, the events with NMI pending and the SIPI vector, and the MP
 * state. A stale copy then overwrites an NMI, a SIPI or a halt-to-run change that another CPU
 * caused after the read. The local APIC and the TSC are left out, as the pre-fix QEMU left them.
 */
public final class StaleWritebackControl implements WritebackPolicy {
    @Override
    public boolean readMarksModified() {
        return true;
    }

    @Override
    public boolean writes(StateField field, WritebackLevel level) {
        if (field == StateField.TSC || field == StateField.LAPIC) {
            return field.writtenAt(level);
        }
        return true;
    }

    @Override
    public String toString() {
        return "control (a): reads mark dirty, runtime writes carry everything";
    }
}
