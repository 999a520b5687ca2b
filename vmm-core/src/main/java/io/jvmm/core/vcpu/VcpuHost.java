package io.jvmm.core.vcpu;

import io.jvmm.core.devices.Bus;
import io.jvmm.core.lock.BigLock;
import io.jvmm.kvm.VcpuExit;

/**
 * What a vCPU needs from its machine. Every method but {@link #bql()}, {@link #pio()},
 * {@link #mmio()} and {@link #exitObserved} is called on a vCPU thread with the Big Lock held.
 */
public interface VcpuHost {
    /** The machine's Big Lock. */
    BigLock bql();

    /** The port I/O bus. */
    Bus pio();

    /** The MMIO bus. */
    Bus mmio();

    /** Whether the machine wants its vCPUs out of the guest (a pause: stop, an all-CPU snapshot read, a reset). */
    boolean pauseRequested();

    /** A vCPU started or stopped waiting; wakes whoever waits for vCPUs to park. */
    void parkedChanged();

    /** The guest did something that ends the machine (triple fault, an exit KVM could not handle). */
    void guestFault(Vcpu vcpu, String reason);

    /** The guest asked for a reset (KVM_SYSTEM_EVENT_RESET). */
    void guestResetRequest(Vcpu vcpu);

    /** The guest asked for power-off (KVM_SYSTEM_EVENT_SHUTDOWN). */
    void guestPowerOffRequest(Vcpu vcpu);

    /** The vCPU thread failed: a VMM defect, a lock contract violation, a failed ioctl. */
    void vcpuCrashed(Vcpu vcpu, Throwable cause);

    /** Counts an exit for metrics. Called without the Big Lock, on the vCPU thread. */
    void exitObserved(VcpuExit exit);

    /**
     * Times one answered register read, for metrics: {@code claimNanos} from its queueing to this
     * vCPU taking it (the kick and the way out of the guest), {@code readNanos} the KVM_GET_* calls
     * (shared by the reads one pass answered). Called without the Big Lock, on the vCPU thread.
     */
    void registerReadAnswered(long claimNanos, long readNanos);
}
