package io.jvmm.monitor.service;

/** A VM id the service does not know (never created, or destroyed). Answered with HTTP 404. */
public final class UnknownVmException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** No VM {@code id}; {@code destroyed} tells whether it existed once. */
    public UnknownVmException(String id, boolean destroyed, java.util.Collection<String> known) {
        super(destroyed
                ? "VM '" + id + "' was destroyed; list the VMs with GET /vms"
                : "No VM '" + id + "'; " + (known.isEmpty() ? "there are none (create one with POST /vms)"
                        : "VMs: " + String.join(", ", known)));
    }
}
