package io.jvmm.core.machine;

/**
 * A machine configuration that cannot be built: an invalid {@code -smp}, a memory size out of
 * range, more CPUs than KVM allows. The message is one line that says what was wrong and what is
 * valid; it is reported before any VM exists.
 */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    /** A configuration error described by {@code message}. */
    public ConfigException(String message) {
        super(message);
    }
}
