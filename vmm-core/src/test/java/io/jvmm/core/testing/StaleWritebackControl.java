package io.jvmm.core.testing;

import io.jvmm.core.vcpu.StateField;
import io.jvmm.core.vcpu.WritebackLevel;
import io.jvmm.core.vcpu.WritebackPolicy;
import java.util.EnumSet;
import java.util.Set;

/**
 * Sensitivity control (a), test code only: puts back the seed-003 defect. A read marks the vCPU
 * dirty (as QEMU's cpu_synchronize_state did), and the next entry writes what was read back at
 * runtime level. A stale copy then overwrites an NMI, a SIPI or a halt-to-run change that another
 * CPU caused after the read.
 *
 * <p>{@link #everything()} writes back every field but the local APIC and the TSC, as the pre-fix
 * QEMU did; the single-field controls write back only one stale field each, so each is shown to
 * be caught on its own: {@link #nmiPending()} (the events block with NMI pending),
 * {@link #mpState()} and {@link #registers()} (the general-purpose registers, RIP included).
 * The model check catches all of these. On real KVM the guest catches the first two; the MP state
 * and register copies need to outlive a KVM_RUN to lose anything there, so the race suite runs
 * them as {@link #mpStateHeldOverAnEntry()} and {@link #registersHeldOverAnEntry()}.
 */
public final class StaleWritebackControl implements WritebackPolicy {
    private final Set<StateField> stale;
    private final String name;
    private final boolean heldOverAnEntry;

    private StaleWritebackControl(Set<StateField> stale, String name, boolean heldOverAnEntry) {
        this.stale = java.util.Collections.unmodifiableSet(EnumSet.copyOf(stale));
        this.name = name;
        this.heldOverAnEntry = heldOverAnEntry;
    }

    private StaleWritebackControl(Set<StateField> stale, String name) {
        this(stale, name, false);
    }

    /** Every field but the LAPIC and the TSC. */
    public StaleWritebackControl() {
        this(EnumSet.complementOf(EnumSet.of(StateField.LAPIC, StateField.TSC)), "everything");
    }

    /** Every field but the LAPIC and the TSC. */
    public static StaleWritebackControl everything() {
        return new StaleWritebackControl();
    }

    /** Only the events block, NMI pending included. */
    public static StaleWritebackControl nmiPending() {
        return new StaleWritebackControl(EnumSet.of(StateField.EVENTS, StateField.NMI_PENDING), "NMI pending");
    }

    /** Only the MP state. */
    public static StaleWritebackControl mpState() {
        return new StaleWritebackControl(EnumSet.of(StateField.MP_STATE), "mp_state");
    }

    /** Only the general-purpose registers. */
    public static StaleWritebackControl registers() {
        return new StaleWritebackControl(EnumSet.of(StateField.REGS), "registers");
    }

    /**
     * Only the MP state, written back one entry late. On real KVM the next-entry form loses
     * nothing: an INIT or SIPI that arrives after the read stays latched in the in-kernel LAPIC
     * (KVM_GET_MP_STATE accepts what was latched before it, KVM_SET_MP_STATE does not clear the
     * latch), so a stale MP state can only undo a start the kernel made during a KVM_RUN. See
     * {@link WritebackPolicy#holdsReadsOverAnEntry}.
     */
    public static StaleWritebackControl mpStateHeldOverAnEntry() {
        return new StaleWritebackControl(EnumSet.of(StateField.MP_STATE), "mp_state, one entry late", true);
    }

    /** Only the general-purpose registers, written back one entry late (as {@link #mpStateHeldOverAnEntry}). */
    public static StaleWritebackControl registersHeldOverAnEntry() {
        return new StaleWritebackControl(EnumSet.of(StateField.REGS), "registers, one entry late", true);
    }

    @Override
    public boolean holdsReadsOverAnEntry() {
        return heldOverAnEntry;
    }

    @Override
    public Set<StateField> markedOnRead() {
        return stale;
    }

    @Override
    public boolean writes(StateField field, WritebackLevel level) {
        return stale.contains(field) || field.writtenAt(level);
    }

    @Override
    public String toString() {
        return "control (a) stale writeback of " + name + ": reads mark dirty, runtime writes carry it";
    }
}
