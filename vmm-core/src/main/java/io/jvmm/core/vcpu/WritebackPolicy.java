package io.jvmm.core.vcpu;

import java.util.Set;

/**
 * The rule a {@link VcpuState} follows when it reads and writes KVM. The product has one
 * policy, {@link #GATED_BY_LEVEL}; the seam exists so tests can put back the behaviour of the
 * VMMs this project learned from (a read that marks the vCPU dirty, a runtime write that carries
 * everything) and show that the race tests catch it.
 */
public interface WritebackPolicy {
    /** Reads never cause writes; writes carry only what {@link StateField} allows at the level. */
    WritebackPolicy GATED_BY_LEVEL = new WritebackPolicy() {
        @Override
        public boolean writes(StateField field, WritebackLevel level) {
            return field.writtenAt(level);
        }

        @Override
        public String toString() {
            return "gated-by-level";
        }
    };

    /**
     * The fields a read also marks modified, so that the next entry writes them back (as a VMM that
     * marks a vCPU dirty on every synchronization does). None in the product: reads never cause
     * writes. A set the policy keeps, so marking is one set operation, not a loop per read.
     */
    default Set<StateField> markedOnRead() {
        return Set.of();
    }

    /**
     * Whether a read's marked copy waits out one entry into the guest before it is written, instead
     * of going with the next entry. False in the product, which marks nothing. A test control
     * returns true to show that a stale MP state or register copy is caught: with the in-kernel
     * LAPIC an INIT or SIPI that arrives while the vCPU is out of the guest stays latched until the
     * next KVM_RUN (or KVM_GET_MP_STATE) accepts it, and KVM_SET_MP_STATE and KVM_SET_REGS leave
     * the latch alone, so only a copy that outlives a KVM_RUN can undo what the kernel did with it.
     */
    default boolean holdsReadsOverAnEntry() {
        return false;
    }

    /** Whether a write at {@code level} carries {@code field}. */
    boolean writes(StateField field, WritebackLevel level);

    /**
     * Whether a write is refused when its {@link WriteGrant} no longer holds. Always true in the
     * product; a test control that trusts the caller's level returns false.
     */
    default boolean honoursGrants() {
        return true;
    }
}
