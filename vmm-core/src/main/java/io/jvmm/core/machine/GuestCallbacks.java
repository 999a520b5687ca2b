package io.jvmm.core.machine;

import io.jvmm.core.devices.Bus;
import io.jvmm.core.devices.GuestRequests;
import io.jvmm.core.lock.BigLock;
import io.jvmm.core.lock.LockSite;
import io.jvmm.core.vcpu.CpuManager;
import io.jvmm.core.vcpu.Vcpu;
import io.jvmm.core.vcpu.VcpuHost;
import io.jvmm.kvm.VcpuExit;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * What a machine's guest asks of it, through its devices ({@link GuestRequests}) and its vCPU
 * threads ({@link VcpuHost}): end the run, start a powered-off CPU, reset, and the vCPUs' own
 * reports. Every call arrives on a vCPU thread with the Big Lock held, and none waits.
 */
final class GuestCallbacks implements GuestRequests, VcpuHost {
    private final Machine machine;
    /** Runs guest-requested resets, one at a time, on one thread per machine (made on first use). */
    private final ExecutorService resetWorker;
    // Guarded by the Big Lock: the pause of the guest reset under way, if any.
    private CpuManager.Pause resetPause;

    GuestCallbacks(Machine machine, Closer closer) {
        this.machine = machine;
        this.resetWorker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, machine.id() + "-reset");
            t.setDaemon(true);
            return t;
        });
        AutoCloseable endResets = () -> {
            // A reset under way is interrupted at its next wait; the thread is gone when destroy returns.
            resetWorker.shutdownNow();
            if (!resetWorker.awaitTermination(5, TimeUnit.SECONDS)) {
                throw new IllegalStateException(machine.id() + "-reset did not end within 5 s of the machine's end");
            }
        };
        closer.add(endResets);
    }

    @Override
    public BigLock bql() {
        return machine.bql();
    }

    @Override
    public Bus pio() {
        return machine.pio();
    }

    @Override
    public Bus mmio() {
        return machine.mmio();
    }

    @Override
    public void guestExit(int cpu, long value) {
        machine.end(new MachineExit(MachineExit.Kind.GUEST_EXIT, value, "vcpu-" + cpu + " wrote " + value
                + " to the debug-exit port"), MachineState.SHUTDOWN);
    }

    @Override
    public void guestPowerOff(int cpu) {
        machine.end(new MachineExit(MachineExit.Kind.POWER_OFF, -1, "vcpu-" + cpu
                + " requested ACPI power-off (S5)"), MachineState.SHUTDOWN);
    }

    @Override
    public int startCpu(int cpu, int target, long entry, long arg) {
        if (target < 0 || target >= machine.vcpus().size()) {
            return START_NO_SUCH_CPU;
        }
        if (!machine.memory().contains(entry, 1)) {
            return START_BAD_ENTRY;
        }
        return machine.vcpus().get(target).requestPowerOn(machine.platform().resets().powerOn(target, entry, arg))
                ? START_OK : START_NOT_POWERED_OFF;
    }

    @Override
    public boolean pauseRequested() {
        return machine.cpus().pauseRequested();
    }

    @Override
    public void parkedChanged() {
        machine.cpus().parkedChanged();
    }

    @Override
    public void guestFault(Vcpu vcpu, String reason) {
        machine.end(new MachineExit(MachineExit.Kind.GUEST_FAULT, -1, reason), MachineState.FAILED);
    }

    @Override
    public void guestResetRequest(Vcpu vcpu) {
        guestReset(vcpu.index());
    }

    /**
     * The guest asked for a reset (KVM_SYSTEM_EVENT_RESET, or a reset device). The pause is raised
     * at once, here, so the requesting vCPU parks at its next turn instead of running on; the reset
     * itself runs on the machine's reset thread. A request that arrives while that pause is still
     * raised (another CPU asking too) is part of the same reset; one that arrives after the reset
     * has released it (the guest, run again from its entry, asking again) is a new reset. Under
     * {@code -no-reboot} the request ends the run instead.
     */
    @Override
    public void guestReset(int cpu) {
        bql().assertHeld("guest reset request");
        if ((resetPause != null && resetPause.held()) || !machine.state().isLive()) {
            return;
        }
        if (machine.config().noReboot()) {
            machine.end(MachineExit.resetUnderNoReboot("vcpu-" + cpu), MachineState.SHUTDOWN);
            return;
        }
        CpuManager cpus = machine.cpus();
        CpuManager.Pause pause = cpus.raiseLocked();
        resetPause = pause;
        machine.config().listener().guestReset(cpu);
        LockSite site = machine.serviceSite();
        resetWorker.execute(() -> {
            try {
                cpus.awaitParked(pause);
                machine.resetUnder(pause, site);
            } catch (RuntimeException e) {
                cpus.release(pause, site);
                locked(() -> machine.end(new MachineExit(MachineExit.Kind.VMM_ERROR, -1,
                        "guest-requested reset failed: " + e.getMessage()), MachineState.FAILED));
            }
        });
    }

    private void locked(Runnable r) {
        bql().lock(machine.serviceSite());
        try {
            r.run();
        } finally {
            bql().unlock();
        }
    }

    @Override
    public void guestPowerOffRequest(Vcpu vcpu) {
        guestPowerOff(vcpu.index());
    }

    @Override
    public void vcpuCrashed(Vcpu vcpu, Throwable cause) {
        machine.end(new MachineExit(MachineExit.Kind.VMM_ERROR, -1, vcpu.name() + " failed: " + cause),
                MachineState.FAILED);
    }

    @Override
    public void exitObserved(VcpuExit e) {
        machine.platform().metrics().exit(e);
    }

    @Override
    public void registerReadAnswered(long claimNanos, long readNanos) {
        machine.platform().metrics().registerRead(claimNanos, readNanos);
    }
}
