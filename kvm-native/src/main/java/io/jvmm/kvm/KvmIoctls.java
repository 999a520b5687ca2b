package io.jvmm.kvm;

import static io.jvmm.kvm.KvmAbi.KvmCpuid2;
import static io.jvmm.kvm.KvmAbi.KvmDebugregs;
import static io.jvmm.kvm.KvmAbi.KvmFpu;
import static io.jvmm.kvm.KvmAbi.KvmIrqLevel;
import static io.jvmm.kvm.KvmAbi.KvmLapicState;
import static io.jvmm.kvm.KvmAbi.KvmMpState;
import static io.jvmm.kvm.KvmAbi.KvmMsrList;
import static io.jvmm.kvm.KvmAbi.KvmMsrs;
import static io.jvmm.kvm.KvmAbi.KvmPitConfig;
import static io.jvmm.kvm.KvmAbi.KvmRegs;
import static io.jvmm.kvm.KvmAbi.KvmSignalMask;
import static io.jvmm.kvm.KvmAbi.KvmSregs;
import static io.jvmm.kvm.KvmAbi.KvmUserspaceMemoryRegion;
import static io.jvmm.kvm.KvmAbi.KvmVcpuEvents;
import static io.jvmm.kvm.KvmAbi.KvmXcrs;
import static io.jvmm.kvm.KvmAbi.KvmXsave;

/**
 * Every ioctl request number the binding uses, computed as {@code <asm-generic/ioctl.h>} does
 * from direction, the KVM type byte 0xAE, the number and the argument struct's size. Grouped by
 * the file descriptor they are issued on; each notes the capability that gates it (none: part of
 * the base API version 12). {@code KvmAbiTest} checks each against the C macro.
 */
public final class KvmIoctls {
    private KvmIoctls() {
    }

    private static final int KVMIO = 0xAE;
    private static final long IOC_NONE = 0;
    private static final long IOC_WRITE = 1;
    private static final long IOC_READ = 2;

    private static long ioc(long dir, int nr, int size) {
        return (dir << 30) | ((long) size << 16) | ((long) KVMIO << 8) | nr;
    }

    private static long io(int nr) {
        return ioc(IOC_NONE, nr, 0);
    }

    private static long ior(int nr, int size) {
        return ioc(IOC_READ, nr, size);
    }

    private static long iow(int nr, int size) {
        return ioc(IOC_WRITE, nr, size);
    }

    private static long iowr(int nr, int size) {
        return ioc(IOC_READ | IOC_WRITE, nr, size);
    }

    // ---- /dev/kvm (system) ----
    @Abi.Value("KVM_GET_API_VERSION") public static final long KVM_GET_API_VERSION = io(0x00);
    @Abi.Value("KVM_CREATE_VM") public static final long KVM_CREATE_VM = io(0x01);
    @Abi.Value("KVM_GET_MSR_INDEX_LIST") public static final long KVM_GET_MSR_INDEX_LIST = iowr(0x02, KvmMsrList.SIZE);
    /** Also valid on a VM fd (KVM_CAP_CHECK_EXTENSION_VM). */
    @Abi.Value("KVM_CHECK_EXTENSION") public static final long KVM_CHECK_EXTENSION = io(0x03);
    @Abi.Value("KVM_GET_VCPU_MMAP_SIZE") public static final long KVM_GET_VCPU_MMAP_SIZE = io(0x04);
    /** KVM_CAP_EXT_CPUID. */
    @Abi.Value("KVM_GET_SUPPORTED_CPUID") public static final long KVM_GET_SUPPORTED_CPUID = iowr(0x05, KvmCpuid2.SIZE);

    // ---- VM fd ----
    @Abi.Value("KVM_CREATE_VCPU") public static final long KVM_CREATE_VCPU = io(0x41);
    /** KVM_CAP_USER_MEMORY. */
    @Abi.Value("KVM_SET_USER_MEMORY_REGION") public static final long KVM_SET_USER_MEMORY_REGION = iow(0x46, KvmUserspaceMemoryRegion.SIZE);
    /** KVM_CAP_SET_TSS_ADDR. */
    @Abi.Value("KVM_SET_TSS_ADDR") public static final long KVM_SET_TSS_ADDR = io(0x47);
    /** KVM_CAP_SET_IDENTITY_MAP_ADDR. */
    @Abi.Value("KVM_SET_IDENTITY_MAP_ADDR") public static final long KVM_SET_IDENTITY_MAP_ADDR = iow(0x48, 8);
    /** KVM_CAP_IRQCHIP. */
    @Abi.Value("KVM_CREATE_IRQCHIP") public static final long KVM_CREATE_IRQCHIP = io(0x60);
    /** KVM_CAP_IRQCHIP. */
    @Abi.Value("KVM_IRQ_LINE") public static final long KVM_IRQ_LINE = iow(0x61, KvmIrqLevel.SIZE);
    /** KVM_CAP_PIT2. */
    @Abi.Value("KVM_CREATE_PIT2") public static final long KVM_CREATE_PIT2 = iow(0x77, KvmPitConfig.SIZE);

    // ---- vCPU fd ----
    @Abi.Value("KVM_RUN") public static final long KVM_RUN = io(0x80);
    @Abi.Value("KVM_GET_REGS") public static final long KVM_GET_REGS = ior(0x81, KvmRegs.SIZE);
    @Abi.Value("KVM_SET_REGS") public static final long KVM_SET_REGS = iow(0x82, KvmRegs.SIZE);
    @Abi.Value("KVM_GET_SREGS") public static final long KVM_GET_SREGS = ior(0x83, KvmSregs.SIZE);
    @Abi.Value("KVM_SET_SREGS") public static final long KVM_SET_SREGS = iow(0x84, KvmSregs.SIZE);
    @Abi.Value("KVM_GET_MSRS") public static final long KVM_GET_MSRS = iowr(0x88, KvmMsrs.SIZE);
    @Abi.Value("KVM_SET_MSRS") public static final long KVM_SET_MSRS = iow(0x89, KvmMsrs.SIZE);
    @Abi.Value("KVM_SET_SIGNAL_MASK") public static final long KVM_SET_SIGNAL_MASK = iow(0x8b, KvmSignalMask.SIZE);
    @Abi.Value("KVM_GET_FPU") public static final long KVM_GET_FPU = ior(0x8c, KvmFpu.SIZE);
    @Abi.Value("KVM_SET_FPU") public static final long KVM_SET_FPU = iow(0x8d, KvmFpu.SIZE);
    /** KVM_CAP_IRQCHIP. */
    @Abi.Value("KVM_GET_LAPIC") public static final long KVM_GET_LAPIC = ior(0x8e, KvmLapicState.SIZE);
    /** KVM_CAP_IRQCHIP. */
    @Abi.Value("KVM_SET_LAPIC") public static final long KVM_SET_LAPIC = iow(0x8f, KvmLapicState.SIZE);
    /** KVM_CAP_EXT_CPUID. */
    @Abi.Value("KVM_SET_CPUID2") public static final long KVM_SET_CPUID2 = iow(0x90, KvmCpuid2.SIZE);
    /** KVM_CAP_EXT_CPUID. */
    @Abi.Value("KVM_GET_CPUID2") public static final long KVM_GET_CPUID2 = iowr(0x91, KvmCpuid2.SIZE);
    /** KVM_CAP_MP_STATE. */
    @Abi.Value("KVM_GET_MP_STATE") public static final long KVM_GET_MP_STATE = ior(0x98, KvmMpState.SIZE);
    /** KVM_CAP_MP_STATE. */
    @Abi.Value("KVM_SET_MP_STATE") public static final long KVM_SET_MP_STATE = iow(0x99, KvmMpState.SIZE);
    /** KVM_CAP_USER_NMI. */
    @Abi.Value("KVM_NMI") public static final long KVM_NMI = io(0x9a);
    /** KVM_CAP_VCPU_EVENTS. */
    @Abi.Value("KVM_GET_VCPU_EVENTS") public static final long KVM_GET_VCPU_EVENTS = ior(0x9f, KvmVcpuEvents.SIZE);
    /** KVM_CAP_VCPU_EVENTS. */
    @Abi.Value("KVM_SET_VCPU_EVENTS") public static final long KVM_SET_VCPU_EVENTS = iow(0xa0, KvmVcpuEvents.SIZE);
    /** KVM_CAP_DEBUGREGS. */
    @Abi.Value("KVM_GET_DEBUGREGS") public static final long KVM_GET_DEBUGREGS = ior(0xa1, KvmDebugregs.SIZE);
    /** KVM_CAP_DEBUGREGS. */
    @Abi.Value("KVM_SET_DEBUGREGS") public static final long KVM_SET_DEBUGREGS = iow(0xa2, KvmDebugregs.SIZE);
    /** KVM_CAP_XSAVE. */
    @Abi.Value("KVM_GET_XSAVE") public static final long KVM_GET_XSAVE = ior(0xa4, KvmXsave.SIZE);
    /** KVM_CAP_XSAVE. */
    @Abi.Value("KVM_SET_XSAVE") public static final long KVM_SET_XSAVE = iow(0xa5, KvmXsave.SIZE);
    /** KVM_CAP_XCRS. */
    @Abi.Value("KVM_GET_XCRS") public static final long KVM_GET_XCRS = ior(0xa6, KvmXcrs.SIZE);
    /** KVM_CAP_XCRS. */
    @Abi.Value("KVM_SET_XCRS") public static final long KVM_SET_XCRS = iow(0xa7, KvmXcrs.SIZE);
}
