package io.jvmm.core.vcpu;

import static io.jvmm.core.vcpu.WritebackLevel.FULL;
import static io.jvmm.core.vcpu.WritebackLevel.RESET;
import static io.jvmm.core.vcpu.WritebackLevel.RUNTIME;

import java.util.EnumSet;
import java.util.Set;

/**
 * The writeback table: each part of a vCPU's state, the ioctl that writes it, and the lowest
 * {@link WritebackLevel} at which it may be written. This enum is the only place the table
 * exists; {@code docs/design.md} prints it and {@code WritebackTableTest} pins it.
 *
 * <p>The RESET-only rows are the fields another vCPU (or the in-kernel LAPIC acting for it) can
 * change while this vCPU is out of the guest: a pending NMI (KVM_NMI, an NMI IPI), a SIPI vector
 * and the MP state (INIT and SIPI IPIs), the SMM block (latched INIT) and the local APIC (IRR,
 * pending INIT/SIPI). The TSC is FULL-only because any write of it, however fresh, loses the time
 * between read and write.
 */
public enum StateField {
    /** General-purpose registers, RIP, RFLAGS. */
    REGS(RUNTIME, "KVM_SET_REGS"),
    /** Segment, descriptor-table and control registers, EFER, APIC base. */
    SREGS(RUNTIME, "KVM_SET_SREGS"),
    /** x87 and SSE state. */
    FPU(RUNTIME, "KVM_SET_XSAVE (KVM_SET_FPU without XSAVE)"),
    /** XCR0. */
    XCRS(RUNTIME, "KVM_SET_XCRS"),
    /** DR0-DR3, DR6, DR7. */
    DEBUGREGS(RUNTIME, "KVM_SET_DEBUGREGS"),
    /** The MSRs the machine manages, the TSC excepted. */
    MSRS(RUNTIME, "KVM_SET_MSRS"),
    /** Injected exception and interrupt, NMI injected/masked, interrupt shadow: always part of the events write. */
    EVENTS(RUNTIME, "KVM_SET_VCPU_EVENTS"),
    /** A pending NMI: only with KVM_VCPUEVENT_VALID_NMI_PENDING. */
    NMI_PENDING(RESET, "KVM_SET_VCPU_EVENTS + VALID_NMI_PENDING"),
    /** The SIPI vector: only with KVM_VCPUEVENT_VALID_SIPI_VECTOR. */
    SIPI_VECTOR(RESET, "KVM_SET_VCPU_EVENTS + VALID_SIPI_VECTOR"),
    /** SMM state and latched INIT: only with KVM_VCPUEVENT_VALID_SMM, and only where KVM has SMM. */
    SMM(RESET, "KVM_SET_VCPU_EVENTS + VALID_SMM"),
    /** Runnable, halted, waiting for INIT or SIPI. */
    MP_STATE(RESET, "KVM_SET_MP_STATE"),
    /** The in-kernel local APIC's registers. */
    LAPIC(RESET, "KVM_SET_LAPIC"),
    /** The time-stamp counter (MSR 0x10). */
    TSC(FULL, "KVM_SET_MSRS (IA32_TSC)");

    private final WritebackLevel minimumLevel;
    private final String ioctl;

    StateField(WritebackLevel minimumLevel, String ioctl) {
        this.minimumLevel = minimumLevel;
        this.ioctl = ioctl;
    }

    /** The lowest level whose writes may carry this field. */
    public WritebackLevel minimumLevel() {
        return minimumLevel;
    }

    /** The ioctl (and flag) that writes it. */
    public String ioctl() {
        return ioctl;
    }

    /** Whether a write at {@code level} carries this field. */
    public boolean writtenAt(WritebackLevel level) {
        return level.includes(minimumLevel);
    }

    /** Every field a write at {@code level} carries. */
    public static Set<StateField> writtenAtLevel(WritebackLevel level) {
        EnumSet<StateField> s = EnumSet.noneOf(StateField.class);
        for (StateField f : values()) {
            if (f.writtenAt(level)) {
                s.add(f);
            }
        }
        return s;
    }

    /** True for the fields carried by KVM_SET_VCPU_EVENTS. */
    public boolean isEventField() {
        return this == EVENTS || this == NMI_PENDING || this == SIPI_VECTOR || this == SMM;
    }
}
