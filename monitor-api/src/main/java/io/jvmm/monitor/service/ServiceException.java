package io.jvmm.monitor.service;

/**
 * A request the service refuses for a reason of its own, with the HTTP status to answer and a
 * message that says what to do: a guest given by path over REST (400), too many VMs (409), KVM
 * missing (503).
 */
public final class ServiceException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String errorClass;

    /** A refusal with HTTP {@code status} and QMP-style {@code errorClass}. */
    public ServiceException(int status, String errorClass, String message) {
        super(message);
        this.status = status;
        this.errorClass = errorClass;
    }

    /** The HTTP status. */
    public int status() {
        return status;
    }

    /** The error class reported in the body. */
    public String errorClass() {
        return errorClass;
    }
}
