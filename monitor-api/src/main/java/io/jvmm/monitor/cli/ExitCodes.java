package io.jvmm.monitor.cli;

import io.jvmm.core.machine.MachineExit;

/**
 * Exit statuses of {@code ./vmm}. A run exits with the value the guest wrote to the debug-exit
 * port (low 8 bits), so 0 means the guest passed; the values below are reserved for outcomes the
 * guest did not choose. (QEMU's own process exits with {@code (v << 1) | 1} for the same write.)
 */
public final class ExitCodes {
    private ExitCodes() {
    }

    /** The guest passed, asked for ACPI power-off or (under -no-reboot) a reset, or the service stopped cleanly. */
    public static final int OK = 0;
    /** Invalid input (options, -smp, -m, the guest image): rejected before any VM existed. */
    public static final int BAD_INPUT = 2;
    /** {@code --timeout} expired before the guest ended its run. */
    public static final int TIMEOUT = 124;
    /** The guest faulted (triple fault, an exit KVM could not handle) or the VMM failed. */
    public static final int GUEST_FAULT = 125;
    /** KVM is not usable here (no /dev/kvm, or no permission). */
    public static final int NO_KVM = 126;

    /**
     * The status of a run that ended as {@code exit}: the guest's debug-exit value (low 8 bits);
     * 0 for an ACPI power-off, for a reset under {@code -no-reboot} and for a machine destroyed by
     * the operator ({@code quit}), as QEMU exits 0 for each; {@link #GUEST_FAULT} for a guest fault or a VMM failure. The one mapping
     * for {@code run} and {@code run --monitor}.
     */
    public static int forExit(MachineExit exit) {
        return switch (exit.kind()) {
            case GUEST_EXIT -> (int) (exit.code() & 0xff);
            case POWER_OFF, RESET, DESTROYED -> OK;
            case GUEST_FAULT, VMM_ERROR -> GUEST_FAULT;
        };
    }

    /**
     * The line to print on stderr for a run that ended as {@code exit}, or null when the guest chose
     * its result through the debug-exit port (its own output says why).
     */
    public static String explain(MachineExit exit) {
        return exit.kind() == MachineExit.Kind.GUEST_EXIT ? null : exit.reason();
    }
}
