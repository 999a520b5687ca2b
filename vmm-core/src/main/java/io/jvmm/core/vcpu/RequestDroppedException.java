package io.jvmm.core.vcpu;

/**
 * A request was dropped without running: its deadline passed before the vCPU reached it, or its
 * sender gave up on it. Nothing it would have done was done.
 */
public final class RequestDroppedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    RequestDroppedException(String what, String why) {
        super("dropped '" + what + "' without running it: " + why);
    }
}
