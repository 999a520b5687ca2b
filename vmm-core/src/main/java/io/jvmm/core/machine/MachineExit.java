package io.jvmm.core.machine;

/**
 * How a machine's run ended.
 *
 * @param kind  what ended it
 * @param code  the guest's result for {@link Kind#GUEST_EXIT} (the value written to the debug-exit port), else -1
 * @param reason a one-line description ("guest wrote 0 to the debug-exit port", "triple fault on vcpu-2 at EIP=...")
 */
public record MachineExit(Kind kind, long code, String reason) {
    /** What ended a run. */
    public enum Kind {
        /** The guest wrote to the debug-exit port. */
        GUEST_EXIT,
        /** The guest asked for power-off (ACPI S5 or a system event). */
        POWER_OFF,
        /** A reset was asked for (by the guest or {@code system_reset}) on a machine that does not reboot ({@code -no-reboot}). */
        RESET,
        /** The guest did something fatal (triple fault, an exit KVM could not handle). */
        GUEST_FAULT,
        /** The VMM failed (a vCPU thread died). */
        VMM_ERROR,
        /** The machine was destroyed (quit) while it ran. */
        DESTROYED
    }

    /** How a run under {@code -no-reboot} ends when {@code who} asks for a reset. */
    public static MachineExit resetUnderNoReboot(String who) {
        return new MachineExit(Kind.RESET, -1, who + " requested a reset; -no-reboot ends the run instead");
    }

    /** Whether this is a guest exit with result 0. */
    public boolean passed() {
        return kind == Kind.GUEST_EXIT && code == 0;
    }
}
