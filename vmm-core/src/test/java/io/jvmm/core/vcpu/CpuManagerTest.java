package io.jvmm.core.vcpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.core.lock.LockSite;
import io.jvmm.core.testing.FakeVcpuBackend;
import io.jvmm.core.testing.FakeVcpuHost;
import io.jvmm.core.testing.LateWorkControl;
import io.jvmm.kvm.MpState;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The owner of a machine's vCPUs, over fake hypervisor vCPUs: the pause protocol, requests with
 * deadlines and grants, and the late-work defect of the hardening issue's point 1, caught.
 */
class CpuManagerTest {
    private final FakeVcpuHost host = new FakeVcpuHost(true);
    private final LockSite site = host.site();
    private final List<FakeVcpuBackend> backends = new ArrayList<>();
    private final List<Vcpu> vcpus = new ArrayList<>();
    /** Each state write, with whether a pause was in force when it happened. */
    private final List<String> writesWhileRunnable = new CopyOnWriteArrayList<>();
    private CpuManager cpus;

    private void build(int n, long timeoutMs, VcpuLoopPolicy loop, WritebackPolicy writeback) {
        for (int i = 0; i < n; i++) {
            FakeVcpuBackend b = new FakeVcpuBackend(i);
            String name = "vcpu-" + i;
            b.onWrite = ioctl -> {
                if (!cpus.pauseRequested()) {
                    writesWhileRunnable.add(name + " " + ioctl);
                }
            };
            backends.add(b);
            vcpus.add(new Vcpu(i, b, new VcpuState(name, i, b, writeback, null, false), host, loop));
        }
        cpus = new CpuManager("vm-test", host.bql(), vcpus, timeoutMs);
        host.managedBy(cpus);
        cpus.start(false, v -> { });
    }

    @AfterEach
    void stopAll() {
        if (cpus == null) {
            return;
        }
        host.bql().lock(site);
        try {
            cpus.requestStopAll();
        } finally {
            host.bql().unlock();
        }
        assertEquals(List.of(), cpus.joinAll());
    }

    private CpuImage resetImage() {
        return CpuImage.empty().withMpState(MpState.UNINITIALIZED);
    }

    @Test
    void aPauseParksEveryVcpuAndIsAResetGrantOnlyWhileHeld() throws Exception {
        build(3, 5000, VcpuLoopPolicy.STANDARD, WritebackPolicy.GATED_BY_LEVEL);
        assertTrue(host.await(() -> backends.stream().allMatch(b -> b.runs() > 0), 5000));
        CpuManager.Pause p = cpus.pause(site);
        int[] before = backends.stream().mapToInt(FakeVcpuBackend::runs).toArray();
        assertTrue(vcpus.stream().allMatch(Vcpu::isParked));
        assertTrue(vcpus.stream().noneMatch(Vcpu::inGuest));
        host.bql().lock(site);
        try {
            assertTrue(p.holds(), "every vCPU parked under it");
            cpus.releaseLocked(p);
            assertFalse(p.holds(), "a released pause grants nothing");
            cpus.releaseLocked(p);
            assertFalse(cpus.pauseRequested(), "a second release does nothing");
        } finally {
            host.bql().unlock();
        }
        assertTrue(host.await(() -> {
            for (int i = 0; i < before.length; i++) {
                if (backends.get(i).runs() <= before[i]) {
                    return false;
                }
            }
            return true;
        }, 5000), "every vCPU runs again");
    }

    @Test
    void aRaisedPauseIsNoGrantUntilEveryVcpuHasParked() {
        build(2, 5000, VcpuLoopPolicy.STANDARD, WritebackPolicy.GATED_BY_LEVEL);
        CpuManager.Pause p;
        host.bql().lock(site);
        try {
            p = cpus.raiseLocked();
            assertFalse(p.holds(), "raised, but nobody has been seen parked yet");
        } finally {
            host.bql().unlock();
        }
        cpus.awaitParked(p);
        assertTrue(p.held());
        cpus.release(p, site);
    }

    @Test
    void readsUnderAPauseRunOnEachVcpusThreadAndWriteNothing() {
        build(4, 5000, VcpuLoopPolicy.STANDARD, WritebackPolicy.GATED_BY_LEVEL);
        List<PendingRequest<VcpuSnapshot>> pending;
        CpuManager.Pause p;
        host.bql().lock(site);
        try {
            p = cpus.raiseLocked();
            pending = cpus.submitEach(v -> new VcpuRequest.ReadState());
        } finally {
            host.bql().unlock();
        }
        List<VcpuSnapshot> all = cpus.awaitEach(pending);
        cpus.release(p, site);
        for (int i = 0; i < 4; i++) {
            assertEquals(i, all.get(i).cpuIndex());
            assertEquals("vcpu-" + i, backends.get(i).lastReader);
            assertEquals(0, backends.get(i).stateWrites());
        }
    }

    @Test
    void aRequestToSomeVcpusKicksOnlyThoseAndTheOthersKeepRunning() {
        build(3, 5000, VcpuLoopPolicy.STANDARD, WritebackPolicy.GATED_BY_LEVEL);
        assertTrue(waitFor(() -> backends.stream().allMatch(b -> b.runs() > 0)));
        long[] asked = vcpus.stream().mapToLong(Vcpu::exitRequests).toArray();
        List<Vcpu> target = List.of(vcpus.get(1));
        for (int i = 0; i < 20; i++) {
            List<PendingRequest<VcpuSnapshot>> pending;
            host.bql().lock(site);
            try {
                pending = cpus.submitTo(target, v -> new VcpuRequest.ReadState());
            } finally {
                host.bql().unlock();
            }
            assertEquals(1, cpus.awaitEach(target, pending).get(0).cpuIndex());
        }
        assertEquals(asked[0], vcpus.get(0).exitRequests(), "vcpu-0 was asked out for vcpu-1's reads");
        assertEquals(asked[2], vcpus.get(2).exitRequests(), "vcpu-2 was asked out for vcpu-1's reads");
        assertTrue(vcpus.get(1).exitRequests() >= asked[1] + 20, "vcpu-1 was not asked out for each read");
        assertEquals("vcpu-1", backends.get(1).lastReader);
        assertEquals(null, backends.get(0).lastReader);
    }

    @Test
    void aPauseThatTimesOutNamesTheStragglerAndIsUndone() {
        CountDownLatch hold = new CountDownLatch(1);
        build(2, 300, VcpuLoopPolicy.STANDARD, WritebackPolicy.GATED_BY_LEVEL);
        assertTrue(waitFor(() -> backends.get(1).runs() > 0));
        // vcpu-1 now sits in a "KVM_RUN" that ignores kicks until the latch opens.
        java.util.concurrent.atomic.AtomicBoolean stuck = new java.util.concurrent.atomic.AtomicBoolean();
        backends.get(1).onRun(b -> {
            stuck.set(true);
            await(hold);
        });
        backends.get(1).script(io.jvmm.kvm.VcpuExit.INTERRUPTED);
        assertTrue(waitFor(stuck::get));
        VcpuTimeoutException e = assertThrows(VcpuTimeoutException.class, () -> cpus.pause(site));
        assertTrue(e.getMessage().contains("vcpu-1 (running, in KVM_RUN"), e.getMessage());
        assertFalse(cpus.pauseRequested(), "the failed pause is released");
        hold.countDown();
    }

    private static boolean waitFor(java.util.function.BooleanSupplier c) {
        long deadline = System.currentTimeMillis() + 5000;
        while (!c.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                return false;
            }
            Thread.onSpinWait();
        }
        return true;
    }

    private static void await(CountDownLatch l) {
        try {
            l.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Point 1: a reset item whose sender gave up. The sender pauses every vCPU, queues a reset on
     * each, and waits past the deadline while the vCPUs cannot get to it (here: the sender keeps
     * the Big Lock, as a slow wake-up on a busy host would keep them away); it gives up, cancels,
     * and lets the vCPUs run again. Returns the writes that reached a vCPU while no pause held.
     */
    private List<String> resetWhoseSenderGivesUp() throws Exception {
        assertTrue(waitFor(() -> backends.stream().allMatch(b -> b.runs() > 0)));
        CpuManager.Pause p = cpus.pause(site);
        List<PendingRequest<Void>> pending;
        host.bql().lock(site);
        try {
            pending = cpus.submitEach(v -> new VcpuRequest.Reset(resetImage(), VcpuRunState.RUNNING, p));
            Thread.sleep(cpus.timeoutMs() + 50);
            // The sender's wait ran out: what awaitEach does on timeout, then the pause is lifted.
            pending.forEach(PendingRequest::cancel);
            cpus.releaseLocked(p);
        } finally {
            host.bql().unlock();
        }
        for (PendingRequest<Void> r : pending) {
            try {
                r.answer().get(5, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                // dropped
            }
        }
        assertTrue(waitFor(() -> vcpus.stream().allMatch(Vcpu::inGuest)), "the guest runs on");
        return writesWhileRunnable;
    }

    @Test
    void point1_aResetItemWhoseSenderGaveUpNeverWritesOverRunningVcpus() throws Exception {
        build(2, 100, VcpuLoopPolicy.STANDARD, WritebackPolicy.GATED_BY_LEVEL);
        assertEquals(List.of(), resetWhoseSenderGivesUp());
        assertEquals(0, backends.get(0).stateWrites() + backends.get(1).stateWrites(), "the items were dropped");
    }

    @Test
    void point1_controlC_lateWorkWritesResetStateOverRunningVcpusAndIsCaught() throws Exception {
        LateWorkControl control = new LateWorkControl();
        build(2, 100, control, control);
        List<String> late = resetWhoseSenderGivesUp();
        assertEquals(List.of("vcpu-0 KVM_SET_MP_STATE", "vcpu-1 KVM_SET_MP_STATE"),
                late.stream().sorted().toList(), "the control must put the defect back");
    }

    @Test
    void anExpiredRequestAnswersWithWhyItWasDropped() throws Exception {
        build(1, 50, VcpuLoopPolicy.STANDARD, WritebackPolicy.GATED_BY_LEVEL);
        List<PendingRequest<Boolean>> pending;
        host.bql().lock(site);
        try {
            pending = cpus.submitEach(v -> new VcpuRequest.InjectNmi());
            Thread.sleep(100);
        } finally {
            host.bql().unlock();
        }
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> pending.get(0).answer().get(5, TimeUnit.SECONDS));
        assertInstanceOf(RequestDroppedException.class, e.getCause());
        assertEquals(0, backends.get(0).nmis);
    }
}
