package io.jvmm.kvm;

/** One model-specific register: its index and value ({@code struct kvm_msr_entry}). */
public record MsrEntry(int index, long data) {
    /** IA32_TIME_STAMP_COUNTER. */
    public static final int IA32_TSC = 0x10;
    /** IA32_MTRR_DEF_TYPE: bit 11 enables the MTRRs, bits 0-7 the default memory type. */
    public static final int IA32_MTRR_DEF_TYPE = 0x2ff;
    /** IA32_APIC_BASE. */
    public static final int IA32_APIC_BASE = 0x1b;
    /** IA32_MISC_ENABLE. */
    public static final int IA32_MISC_ENABLE = 0x1a0;
    /** IA32_SYSENTER_CS, _ESP, _EIP. */
    public static final int IA32_SYSENTER_CS = 0x174;
    public static final int IA32_SYSENTER_ESP = 0x175;
    public static final int IA32_SYSENTER_EIP = 0x176;
    /** IA32_PAT. */
    public static final int IA32_PAT = 0x277;
    /** IA32_EFER. */
    public static final int IA32_EFER = 0xc0000080;
    /** STAR, LSTAR, CSTAR, FMASK, FS/GS base, KERNEL_GS_BASE, TSC_AUX. */
    public static final int STAR = 0xc0000081;
    public static final int LSTAR = 0xc0000082;
    public static final int CSTAR = 0xc0000083;
    public static final int FMASK = 0xc0000084;
    public static final int FS_BASE = 0xc0000100;
    public static final int GS_BASE = 0xc0000101;
    public static final int KERNEL_GS_BASE = 0xc0000102;
    public static final int TSC_AUX = 0xc0000103;

    @Override
    public String toString() {
        return "MsrEntry[0x" + Integer.toHexString(index) + "=0x" + Long.toHexString(data) + "]";
    }
}
