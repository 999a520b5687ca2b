package io.jvmm.core.memory;

/** An access outside guest RAM, or guest RAM that could not be set up. */
public final class GuestMemoryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** An error described by {@code message}. */
    public GuestMemoryException(String message) {
        super(message);
    }
}
