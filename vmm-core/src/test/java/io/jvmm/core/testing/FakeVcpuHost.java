package io.jvmm.core.testing;

import io.jvmm.core.devices.Bus;
import io.jvmm.core.lock.BigLock;
import io.jvmm.core.lock.LockObserver;
import io.jvmm.core.lock.LockRole;
import io.jvmm.core.lock.LockSite;
import io.jvmm.core.vcpu.Vcpu;
import io.jvmm.core.vcpu.VcpuHost;
import io.jvmm.kvm.VcpuExit;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

/** A machine stand-in for vCPU loop tests: a Big Lock, empty buses, a pause flag, recorded faults. */
public final class FakeVcpuHost implements VcpuHost {
    private final BigLock bql;
    private final Bus pio = new Bus("pio");
    private final Bus mmio = new Bus("mmio");
    private final LockSite site;
    private int pauseDepth;
    private volatile io.jvmm.core.vcpu.CpuManager manager;
    public final List<String> faults = new CopyOnWriteArrayList<>();
    public final List<Throwable> crashes = new CopyOnWriteArrayList<>();
    public final List<VcpuExit> exits = new CopyOnWriteArrayList<>();

    public FakeVcpuHost(boolean checks) {
        this.bql = new BigLock("test BQL", LockObserver.NONE, checks);
        this.site = bql.site(LockRole.MONITOR, "test");
    }

    /** The lock site tests use to take the Big Lock. */
    public LockSite site() {
        return site;
    }

    @Override
    public BigLock bql() {
        return bql;
    }

    @Override
    public Bus pio() {
        return pio;
    }

    @Override
    public Bus mmio() {
        return mmio;
    }

    /** Raises or lowers the pause depth, kicking the vCPUs when raising. */
    public void setPaused(boolean paused, Vcpu... vcpus) {
        bql.lock(site);
        try {
            pauseDepth += paused ? 1 : -1;
            for (Vcpu v : vcpus) {
                if (paused) {
                    v.requestExit();
                } else {
                    v.wake();
                }
            }
        } finally {
            bql.unlock();
        }
    }

    /** Raises the pause depth from a thread that holds the Big Lock (a device, on a vCPU thread) and kicks {@code vcpus}. */
    public void raisePauseLocked(Vcpu... vcpus) {
        bql.assertHeld("test pause");
        pauseDepth++;
        for (Vcpu v : vcpus) {
            v.requestExit();
        }
    }

    /** Lets {@code m} own the pause and park protocol, as a machine's CpuManager does. */
    public void managedBy(io.jvmm.core.vcpu.CpuManager m) {
        this.manager = m;
    }

    @Override
    public boolean pauseRequested() {
        io.jvmm.core.vcpu.CpuManager m = manager;
        return pauseDepth > 0 || (m != null && m.pauseRequested());
    }

    @Override
    public void parkedChanged() {
        io.jvmm.core.vcpu.CpuManager m = manager;
        if (m != null) {
            m.parkedChanged();
        }
        synchronized (this) {
            notifyAll();
        }
    }

    /** Waits until {@code condition} holds, re-checking when a vCPU parks or unparks; false on timeout. */
    public synchronized boolean await(BooleanSupplier condition, long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (!condition.getAsBoolean()) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                return false;
            }
            wait(Math.min(left, 20));
        }
        return true;
    }

    @Override
    public void guestFault(Vcpu vcpu, String reason) {
        faults.add(reason);
        vcpu.requestStop();
    }

    @Override
    public void guestResetRequest(Vcpu vcpu) {
        faults.add("reset requested by " + vcpu.name());
    }

    @Override
    public void guestPowerOffRequest(Vcpu vcpu) {
        faults.add("power-off requested by " + vcpu.name());
        vcpu.requestStop();
    }

    @Override
    public synchronized void vcpuCrashed(Vcpu vcpu, Throwable cause) {
        crashes.add(cause);
        notifyAll();
    }

    @Override
    public void exitObserved(VcpuExit exit) {
        exits.add(exit);
    }

    @Override
    public void registerReadAnswered(long claimNanos, long readNanos) {
        // not timed here
    }
}
