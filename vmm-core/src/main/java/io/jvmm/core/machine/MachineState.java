package io.jvmm.core.machine;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * A machine's lifecycle, with the transitions allowed between states:
 * <pre>
 *   CREATED  -> RUNNING, DESTROYED
 *   RUNNING  -> PAUSED, RESETTING, SHUTDOWN, FAILED, DESTROYED
 *   PAUSED   -> RUNNING, RESETTING, SHUTDOWN, FAILED, DESTROYED
 *   RESETTING-> RUNNING, PAUSED, FAILED, DESTROYED
 *   SHUTDOWN -> DESTROYED          (the guest ended its run: debug-exit, ACPI power-off)
 *   FAILED   -> DESTROYED          (the guest faulted, or a vCPU thread died)
 *   DESTROYED                      (final: fds closed, memory unmapped)
 * </pre>
 */
public enum MachineState {
    CREATED, RUNNING, PAUSED, RESETTING, SHUTDOWN, FAILED, DESTROYED;

    /** Whether a machine in this state may go to {@code next}. */
    public boolean canBecome(MachineState next) {
        return allowedNext().contains(next);
    }

    /** The states reachable from this one. */
    public Set<MachineState> allowedNext() {
        return switch (this) {
            case CREATED -> EnumSet.of(RUNNING, DESTROYED);
            case RUNNING -> EnumSet.of(PAUSED, RESETTING, SHUTDOWN, FAILED, DESTROYED);
            case PAUSED -> EnumSet.of(RUNNING, RESETTING, SHUTDOWN, FAILED, DESTROYED);
            case RESETTING -> EnumSet.of(RUNNING, PAUSED, FAILED, DESTROYED);
            case SHUTDOWN, FAILED -> EnumSet.of(DESTROYED);
            case DESTROYED -> EnumSet.noneOf(MachineState.class);
        };
    }

    /** Whether the guest is still alive (its vCPU threads exist): RUNNING, PAUSED or RESETTING. */
    public boolean isLive() {
        return this == RUNNING || this == PAUSED || this == RESETTING;
    }

    /** Lower-case name for JSON and metrics, e.g. "running". */
    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }
}
