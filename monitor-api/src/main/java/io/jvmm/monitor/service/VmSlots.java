package io.jvmm.monitor.service;

/**
 * The service's VM limit ({@code jvmm.max-vms}) as one counter that is checked and taken in one
 * step, so that concurrent creates can never exceed it: a create takes a slot before it builds
 * anything and gives it back if it fails; a destroy gives back the slot of the VM it removed.
 */
final class VmSlots {
    private final int limit;
    private int taken;

    VmSlots(int limit) {
        this.limit = limit;
    }

    /**
     * Takes a slot.
     *
     * @throws ServiceException (409) when all are taken
     */
    synchronized void take() {
        if (taken >= limit) {
            throw new ServiceException(409, "GenericError", "This service already owns " + taken
                    + " VMs, its limit (jvmm.max-vms); destroy one with DELETE /vms/{id} first");
        }
        taken++;
    }

    /** Gives a slot back. */
    synchronized void give() {
        if (taken == 0) {
            throw new IllegalStateException("VM slot given back twice");
        }
        taken--;
    }

    /** Slots in use. */
    synchronized int taken() {
        return taken;
    }
}
