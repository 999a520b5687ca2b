package io.jvmm.monitor.service;

/**
 * A monitor command line that cannot be understood or cannot apply to this VM (an unknown
 * command, a wrong argument, a CPU index out of range). The message says what was wrong and what
 * is valid. Answered with HTTP 400.
 */
public final class MonitorCommandException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String errorClass;

    /** A problem of QMP-style class {@code errorClass} ("CommandNotFound", "GenericError"). */
    public MonitorCommandException(String errorClass, String message) {
        super(message);
        this.errorClass = errorClass;
    }

    /** "CommandNotFound" or "GenericError", as QMP names its error classes. */
    public String errorClass() {
        return errorClass;
    }
}
