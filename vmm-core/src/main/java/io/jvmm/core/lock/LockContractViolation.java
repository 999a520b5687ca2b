package io.jvmm.core.lock;

/**
 * A breach of the Big Lock contract: a thread taking it twice, entering the guest while holding
 * it, returning from the guest-entry step without it, releasing it without holding it, or a vCPU
 * looping with it held. An {@link Error}, not an exception: it means the VMM's own code is wrong,
 * and it is never caught and carried on from. The message names the thread.
 */
public final class LockContractViolation extends Error {
    private static final long serialVersionUID = 1L;

    /** A violation described by {@code message}, which names the offending thread. */
    public LockContractViolation(String message) {
        super(message);
    }
}
