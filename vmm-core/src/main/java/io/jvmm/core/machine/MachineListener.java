package io.jvmm.core.machine;

/**
 * What a machine tells its owner about changes the guest makes (the operator's own requests the
 * owner sees itself; how a run ends is {@link Machine#exitFuture()}). Called on a vCPU thread with
 * the Big Lock held: an implementation must return at once and must not call back into the machine.
 */
public interface MachineListener {
    /** A listener that ignores everything. */
    MachineListener NONE = new MachineListener() { };

    /** The guest asked for a reset (port 0x92, the i8042, port 0xCF9, or a KVM system event) and it begins. */
    default void guestReset(int cpu) {
    }
}
