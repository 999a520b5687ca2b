package io.jvmm.kvm;

/**
 * A vCPU's multiprocessing state (KVM_GET_MP_STATE / KVM_SET_MP_STATE), x86 values plus a
 * fallback for numbers this enum does not know, which keeps the raw value.
 */
public enum MpState {
    @Abi.Value("KVM_MP_STATE_RUNNABLE") RUNNABLE(0),
    /** An AP waiting for INIT; it sleeps inside KVM_RUN until the boot CPU sends INIT and SIPI. */
    @Abi.Value("KVM_MP_STATE_UNINITIALIZED") UNINITIALIZED(1),
    /** INIT taken, waiting for SIPI. */
    @Abi.Value("KVM_MP_STATE_INIT_RECEIVED") INIT_RECEIVED(2),
    /** Halted in the in-kernel local APIC until an interrupt arrives. */
    @Abi.Value("KVM_MP_STATE_HALTED") HALTED(3),
    /** SIPI received; the next KVM_RUN starts the vCPU at the SIPI vector. */
    @Abi.Value("KVM_MP_STATE_SIPI_RECEIVED") SIPI_RECEIVED(4),
    @Abi.Value("KVM_MP_STATE_STOPPED") STOPPED(5),
    @Abi.Value("KVM_MP_STATE_AP_RESET_HOLD") AP_RESET_HOLD(9),
    @Abi.Value("KVM_MP_STATE_SUSPENDED") SUSPENDED(10),
    /** A value not listed above; see {@link KvmException} callers for the raw number. */
    UNKNOWN(-1);

    private final int value;

    MpState(int value) {
        this.value = value;
    }

    /** The kernel's number for this state. */
    public int value() {
        return value;
    }

    /** The state for a kernel number, or {@link #UNKNOWN}. */
    public static MpState of(int value) {
        for (MpState s : values()) {
            if (s.value == value) {
                return s;
            }
        }
        return UNKNOWN;
    }
}
