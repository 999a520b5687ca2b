package io.jvmm.kvm;

import com.sun.jna.Pointer;
import io.jvmm.kvm.KvmAbi.KvmVcpuEvents;

/**
 * Pending and injected events of a vCPU ({@code struct kvm_vcpu_events}).
 *
 * <p>On KVM_SET_VCPU_EVENTS the kernel always takes the exception, interrupt and NMI
 * injected/masked fields; it takes {@code nmi.pending}, {@code sipiVector}, the SMM block, the
 * interrupt shadow and the triple-fault flag only when the matching {@code VALID_*} bit is set in
 * {@link #flags()}. Leaving a bit clear is how a writer avoids clobbering an event another vCPU
 * has just sent (see vmm-core's writeback table).
 */
public record VcpuEvents(Exception exception, Interrupt interrupt, Nmi nmi, int sipiVector, int flags, Smi smi,
                         boolean tripleFaultPending, boolean exceptionHasPayload, long exceptionPayload) {

    /** The exception block. */
    public record Exception(boolean injected, int nr, boolean hasErrorCode, boolean pending, int errorCode) {
    }

    /** The external/soft interrupt block and the interrupt shadow. */
    public record Interrupt(boolean injected, int nr, boolean soft, int shadow) {
    }

    /** The NMI block: one being injected, one pending (queued by KVM_NMI or a local APIC), and NMI blocking. */
    public record Nmi(boolean injected, boolean pending, boolean masked) {
    }

    /** The SMM block (meaningful only with KVM_CAP_X86_SMM). */
    public record Smi(boolean smm, boolean pending, boolean smmInsideNmi, boolean latchedInit) {
    }

    /** Nothing pending, nothing injected, no valid bits. */
    public static VcpuEvents empty() {
        return new VcpuEvents(new Exception(false, 0, false, false, 0), new Interrupt(false, 0, false, 0),
                new Nmi(false, false, false), 0, 0, new Smi(false, false, false, false), false, false, 0);
    }

    /** A copy with {@code newFlags} as the VALID_* bits. */
    public VcpuEvents withFlags(int newFlags) {
        return new VcpuEvents(exception, interrupt, nmi, sipiVector, newFlags, smi, tripleFaultPending,
                exceptionHasPayload, exceptionPayload);
    }

    /** A copy with a new NMI block. */
    public VcpuEvents withNmi(Nmi newNmi) {
        return new VcpuEvents(exception, interrupt, newNmi, sipiVector, flags, smi, tripleFaultPending,
                exceptionHasPayload, exceptionPayload);
    }

    static VcpuEvents read(Pointer p) {
        return new VcpuEvents(
                new Exception(p.getByte(KvmVcpuEvents.EXCEPTION_INJECTED) != 0,
                        p.getByte(KvmVcpuEvents.EXCEPTION_NR) & 0xff,
                        p.getByte(KvmVcpuEvents.EXCEPTION_HAS_ERROR_CODE) != 0,
                        p.getByte(KvmVcpuEvents.EXCEPTION_PENDING) != 0,
                        p.getInt(KvmVcpuEvents.EXCEPTION_ERROR_CODE)),
                new Interrupt(p.getByte(KvmVcpuEvents.INTERRUPT_INJECTED) != 0,
                        p.getByte(KvmVcpuEvents.INTERRUPT_NR) & 0xff,
                        p.getByte(KvmVcpuEvents.INTERRUPT_SOFT) != 0,
                        p.getByte(KvmVcpuEvents.INTERRUPT_SHADOW) & 0xff),
                new Nmi(p.getByte(KvmVcpuEvents.NMI_INJECTED) != 0, p.getByte(KvmVcpuEvents.NMI_PENDING) != 0,
                        p.getByte(KvmVcpuEvents.NMI_MASKED) != 0),
                p.getInt(KvmVcpuEvents.SIPI_VECTOR), p.getInt(KvmVcpuEvents.FLAGS),
                new Smi(p.getByte(KvmVcpuEvents.SMI_SMM) != 0, p.getByte(KvmVcpuEvents.SMI_PENDING) != 0,
                        p.getByte(KvmVcpuEvents.SMI_SMM_INSIDE_NMI) != 0,
                        p.getByte(KvmVcpuEvents.SMI_LATCHED_INIT) != 0),
                p.getByte(KvmVcpuEvents.TRIPLE_FAULT_PENDING) != 0,
                p.getByte(KvmVcpuEvents.EXCEPTION_HAS_PAYLOAD) != 0, p.getLong(KvmVcpuEvents.EXCEPTION_PAYLOAD));
    }

    void write(Pointer p) {
        p.clear(KvmVcpuEvents.SIZE);
        p.setByte(KvmVcpuEvents.EXCEPTION_INJECTED, bit(exception.injected()));
        p.setByte(KvmVcpuEvents.EXCEPTION_NR, (byte) exception.nr());
        p.setByte(KvmVcpuEvents.EXCEPTION_HAS_ERROR_CODE, bit(exception.hasErrorCode()));
        p.setByte(KvmVcpuEvents.EXCEPTION_PENDING, bit(exception.pending()));
        p.setInt(KvmVcpuEvents.EXCEPTION_ERROR_CODE, exception.errorCode());
        p.setByte(KvmVcpuEvents.INTERRUPT_INJECTED, bit(interrupt.injected()));
        p.setByte(KvmVcpuEvents.INTERRUPT_NR, (byte) interrupt.nr());
        p.setByte(KvmVcpuEvents.INTERRUPT_SOFT, bit(interrupt.soft()));
        p.setByte(KvmVcpuEvents.INTERRUPT_SHADOW, (byte) interrupt.shadow());
        p.setByte(KvmVcpuEvents.NMI_INJECTED, bit(nmi.injected()));
        p.setByte(KvmVcpuEvents.NMI_PENDING, bit(nmi.pending()));
        p.setByte(KvmVcpuEvents.NMI_MASKED, bit(nmi.masked()));
        p.setInt(KvmVcpuEvents.SIPI_VECTOR, sipiVector);
        p.setInt(KvmVcpuEvents.FLAGS, flags);
        p.setByte(KvmVcpuEvents.SMI_SMM, bit(smi.smm()));
        p.setByte(KvmVcpuEvents.SMI_PENDING, bit(smi.pending()));
        p.setByte(KvmVcpuEvents.SMI_SMM_INSIDE_NMI, bit(smi.smmInsideNmi()));
        p.setByte(KvmVcpuEvents.SMI_LATCHED_INIT, bit(smi.latchedInit()));
        p.setByte(KvmVcpuEvents.TRIPLE_FAULT_PENDING, bit(tripleFaultPending));
        p.setByte(KvmVcpuEvents.EXCEPTION_HAS_PAYLOAD, bit(exceptionHasPayload));
        p.setLong(KvmVcpuEvents.EXCEPTION_PAYLOAD, exceptionPayload);
    }

    private static byte bit(boolean b) {
        return (byte) (b ? 1 : 0);
    }
}
