package io.jvmm.kvm;

/**
 * The KVM capabilities this project asks about, by their KVM_CAP_* number. Asked with
 * {@link Kvm#checkExtension} (or {@link VmFd#checkExtension} for per-VM answers); the answer is
 * 0 when absent, positive when present, and for a few (NR_VCPUS, MAX_VCPUS) a count.
 */
public enum KvmCap {
    @Abi.Value("KVM_CAP_IRQCHIP") IRQCHIP(0),
    @Abi.Value("KVM_CAP_USER_MEMORY") USER_MEMORY(3),
    @Abi.Value("KVM_CAP_SET_TSS_ADDR") SET_TSS_ADDR(4),
    @Abi.Value("KVM_CAP_EXT_CPUID") EXT_CPUID(7),
    @Abi.Value("KVM_CAP_NR_VCPUS") NR_VCPUS(9),
    @Abi.Value("KVM_CAP_MP_STATE") MP_STATE(14),
    @Abi.Value("KVM_CAP_USER_NMI") USER_NMI(22),
    @Abi.Value("KVM_CAP_IRQ_INJECT_STATUS") IRQ_INJECT_STATUS(26),
    @Abi.Value("KVM_CAP_IRQFD") IRQFD(32),
    @Abi.Value("KVM_CAP_PIT2") PIT2(33),
    @Abi.Value("KVM_CAP_SET_IDENTITY_MAP_ADDR") SET_IDENTITY_MAP_ADDR(37),
    @Abi.Value("KVM_CAP_IOEVENTFD") IOEVENTFD(36),
    @Abi.Value("KVM_CAP_VCPU_EVENTS") VCPU_EVENTS(41),
    @Abi.Value("KVM_CAP_DEBUGREGS") DEBUGREGS(50),
    @Abi.Value("KVM_CAP_XSAVE") XSAVE(55),
    @Abi.Value("KVM_CAP_XCRS") XCRS(56),
    @Abi.Value("KVM_CAP_MAX_VCPUS") MAX_VCPUS(66),
    @Abi.Value("KVM_CAP_TSC_DEADLINE_TIMER") TSC_DEADLINE_TIMER(72),
    @Abi.Value("KVM_CAP_SYNC_REGS") SYNC_REGS(74),
    @Abi.Value("KVM_CAP_X86_SMM") X86_SMM(117),
    @Abi.Value("KVM_CAP_SPLIT_IRQCHIP") SPLIT_IRQCHIP(121),
    @Abi.Value("KVM_CAP_MAX_VCPU_ID") MAX_VCPU_ID(128),
    @Abi.Value("KVM_CAP_X2APIC_API") X2APIC_API(129),
    @Abi.Value("KVM_CAP_IMMEDIATE_EXIT") IMMEDIATE_EXIT(136),
    @Abi.Value("KVM_CAP_EXCEPTION_PAYLOAD") EXCEPTION_PAYLOAD(164),
    @Abi.Value("KVM_CAP_X86_TRIPLE_FAULT_EVENT") X86_TRIPLE_FAULT_EVENT(218);

    private final int number;

    KvmCap(int number) {
        this.number = number;
    }

    /** The KVM_CAP_* number passed to KVM_CHECK_EXTENSION. */
    public int number() {
        return number;
    }
}
