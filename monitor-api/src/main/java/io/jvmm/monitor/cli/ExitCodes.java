package io.jvmm.monitor.cli;

/**
 * Exit statuses of {@code ./vmm}. A run exits with the value the guest wrote to the debug-exit
 * port (low 8 bits), so 0 means the guest passed; the values below are reserved for outcomes the
 * guest did not choose. (QEMU's own process exits with {@code (v << 1) | 1} for the same write.)
 */
public final class ExitCodes {
    private ExitCodes() {
    }

    /** The guest passed, or asked for ACPI power-off, or the service stopped cleanly. */
    public static final int OK = 0;
    /** Invalid input (options, -smp, -m, the guest image): rejected before any VM existed. */
    public static final int BAD_INPUT = 2;
    /** {@code --timeout} expired before the guest ended its run. */
    public static final int TIMEOUT = 124;
    /** The guest faulted (triple fault, an exit KVM could not handle) or the VMM failed. */
    public static final int GUEST_FAULT = 125;
    /** KVM is not usable here (no /dev/kvm, or no permission). */
    public static final int NO_KVM = 126;
}
