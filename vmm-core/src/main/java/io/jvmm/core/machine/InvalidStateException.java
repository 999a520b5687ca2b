package io.jvmm.core.machine;

/**
 * A command that the machine's current state does not allow ("cont" on a machine that has shut
 * down, say). The message says what the state is and which states allow the command.
 */
public final class InvalidStateException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final MachineState state;

    /** {@code command} is not allowed in {@code state}. */
    public InvalidStateException(String command, MachineState state, String allowed) {
        super("Cannot " + command + " a VM that is " + state.tag() + "; " + command + " is allowed when the VM is "
                + allowed);
        this.state = state;
    }

    /** The state the machine was in. */
    public MachineState state() {
        return state;
    }
}
