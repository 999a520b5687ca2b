package io.jvmm.core.vcpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.core.devices.BusDevice;
import io.jvmm.core.lock.LockContractViolation;
import io.jvmm.core.testing.FakeVcpuBackend;
import io.jvmm.core.testing.FakeVcpuHost;
import io.jvmm.core.testing.HaltedVcpuSpinsControl;
import io.jvmm.kvm.VcpuExit;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The vCPU loop's state machine and Big Lock contract, driven with a fake hypervisor so every
 * interleaving is deterministic. Each property has a test that the loop keeps it and, where a
 * defect can be reintroduced, a test that the loop's checks catch the defect.
 */
class VcpuLoopTest {
    private final FakeVcpuHost host = new FakeVcpuHost(true);
    private Vcpu vcpu;

    private Vcpu newVcpu(FakeVcpuBackend backend, VcpuLoopPolicy policy) {
        VcpuState state = new VcpuState("vcpu-1", 1, backend, WritebackPolicy.GATED_BY_LEVEL, null, false);
        vcpu = new Vcpu(1, backend, state, host, policy);
        return vcpu;
    }

    private static Void noSetup(Vcpu v) {
        return null;
    }

    @AfterEach
    void stop() throws Exception {
        if (vcpu != null && vcpu.runState() != VcpuRunState.STOPPED) {
            host.bql().lock(host.site());
            try {
                vcpu.requestStop();
            } finally {
                host.bql().unlock();
            }
            assertTrue(vcpu.join(5000), "vCPU thread did not stop: " + vcpu.describe());
        }
    }

    /** True when another thread can take the Big Lock within 200 ms. */
    private boolean lockIsFree() throws Exception {
        return CompletableFuture.supplyAsync(() -> {
            try {
                if (host.bql().tryLock(host.site(), 200, TimeUnit.MILLISECONDS)) {
                    host.bql().unlock();
                    return true;
                }
                return false;
            } catch (InterruptedException e) {
                return false;
            }
        }).get(5, TimeUnit.SECONDS);
    }

    @Test
    void aPoweredOffVcpuWaitsWithTheLockReleasedAndNeverEntersTheGuest() throws Exception {
        FakeVcpuBackend b = new FakeVcpuBackend(1);
        newVcpu(b, VcpuLoopPolicy.STANDARD).start(true, v -> { });
        assertTrue(host.await(vcpu::isParked, 5000), vcpu.describe());
        assertEquals(VcpuRunState.POWERED_OFF, vcpu.runState());
        assertTrue(lockIsFree(), "a powered-off vCPU must not hold the Big Lock");
        Thread.sleep(100);
        assertEquals(0, b.runs(), "a powered-off vCPU must not enter the guest");
        assertEquals("vcpu-1", b.boundThread().getName());
    }

    @Test
    void aStartRequestRunsOnTheVcpuThreadThenTheVcpuEntersTheGuest() throws Exception {
        FakeVcpuBackend b = new FakeVcpuBackend(1);
        newVcpu(b, VcpuLoopPolicy.STANDARD).start(true, v -> { });
        assertTrue(host.await(vcpu::isParked, 5000));
        AtomicReference<String> startedOn = new AtomicReference<>();
        host.bql().lock(host.site());
        try {
            assertTrue(vcpu.requestStart(v -> {
                assertTrue(host.bql().isHeldByCurrentThread());
                startedOn.set(Thread.currentThread().getName());
            }));
            assertFalse(vcpu.requestStart(v -> { }), "a second start while one is pending must be refused");
        } finally {
            host.bql().unlock();
        }
        assertTrue(host.await(() -> b.runs() > 0, 5000), vcpu.describe());
        assertEquals("vcpu-1", startedOn.get());
        assertEquals(VcpuRunState.RUNNING, vcpu.runState());
        assertTrue(vcpu.inGuest());
        assertTrue(lockIsFree(), "a vCPU in KVM_RUN must not hold the Big Lock");
    }

    @Test
    void workForAStoppedVcpuFailsWithATypedStopSoTheMachineCanAnswerForIt() throws Exception {
        FakeVcpuBackend b = new FakeVcpuBackend(1);
        newVcpu(b, VcpuLoopPolicy.STANDARD).start(false, v -> { });
        assertTrue(host.await(() -> b.runs() == 1, 5000));
        CompletableFuture<Integer> late;
        host.bql().lock(host.site());
        try {
            vcpu.requestStop();
            late = vcpu.submit("read registers", v -> 1);
        } finally {
            host.bql().unlock();
        }
        assertTrue(vcpu.join(5000), vcpu.describe());
        ExecutionException e = assertThrows(ExecutionException.class, () -> late.get(5, TimeUnit.SECONDS));
        assertInstanceOf(VcpuStoppedException.class, e.getCause());
        assertEquals("vcpu-1 has stopped; cannot read registers", e.getCause().getMessage());
    }

    @Test
    void aStartRequestThatArrivesBeforeAPoweredOffThreadReachesItsLoopIsTaken() throws Exception {
        FakeVcpuBackend b = new FakeVcpuBackend(1);
        CountDownLatch setupMayEnd = new CountDownLatch(1);
        newVcpu(b, VcpuLoopPolicy.STANDARD).start(true, v -> {
            try {
                setupMayEnd.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        AtomicReference<String> startedOn = new AtomicReference<>();
        host.bql().lock(host.site());
        try {
            assertEquals(VcpuRunState.CREATED, vcpu.runState());
            assertTrue(vcpu.requestStart(v -> startedOn.set(Thread.currentThread().getName())),
                    "a CPU started powered off is powered off before its thread reaches the loop");
            assertFalse(vcpu.requestStart(v -> { }), "a second start while one is pending must be refused");
        } finally {
            host.bql().unlock();
        }
        setupMayEnd.countDown();
        assertTrue(host.await(() -> b.runs() > 0, 5000), vcpu.describe());
        assertEquals("vcpu-1", startedOn.get());
        assertEquals(VcpuRunState.RUNNING, vcpu.runState());
    }

    @Test
    void aVcpuStartedRunningIsNotPoweredOffWhileItIsBeingCreated() throws Exception {
        FakeVcpuBackend b = new FakeVcpuBackend(1);
        CountDownLatch setupMayEnd = new CountDownLatch(1);
        newVcpu(b, VcpuLoopPolicy.STANDARD).start(false, v -> {
            try {
                setupMayEnd.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        host.bql().lock(host.site());
        try {
            assertFalse(vcpu.requestStart(v -> { }));
        } finally {
            host.bql().unlock();
        }
        setupMayEnd.countDown();
        assertTrue(host.await(() -> b.runs() > 0, 5000), vcpu.describe());
    }

    @Test
    void pauseParksTheVcpuOutsideTheGuestAndResumeLetsItRun() throws Exception {
        FakeVcpuBackend b = new FakeVcpuBackend(1);
        newVcpu(b, VcpuLoopPolicy.STANDARD).start(false, v -> { });
        assertTrue(host.await(() -> b.runs() == 1, 5000));
        host.setPaused(true, vcpu);
        assertTrue(host.await(vcpu::isParked, 5000), vcpu.describe());
        assertEquals(VcpuRunState.PAUSED, vcpu.runState());
        assertFalse(vcpu.inGuest());
        int runsWhilePaused = b.runs();
        Thread.sleep(100);
        assertEquals(runsWhilePaused, b.runs(), "a paused vCPU must not re-enter the guest");
        assertTrue(lockIsFree());
        host.setPaused(false, vcpu);
        assertTrue(host.await(() -> b.runs() > runsWhilePaused, 5000), vcpu.describe());
        assertEquals(VcpuRunState.RUNNING, vcpu.runState());
    }

    @Test
    void workItemsRunOnTheVcpuThreadWithTheLockHeldEvenWhilePaused() throws Exception {
        FakeVcpuBackend b = new FakeVcpuBackend(1);
        newVcpu(b, VcpuLoopPolicy.STANDARD).start(false, v -> { });
        host.setPaused(true, vcpu);
        assertTrue(host.await(vcpu::isParked, 5000));
        CompletableFuture<String> f;
        host.bql().lock(host.site());
        try {
            f = vcpu.submit("name the thread", v -> Thread.currentThread().getName() + ":"
                    + host.bql().isHeldByCurrentThread());
        } finally {
            host.bql().unlock();
        }
        assertEquals("vcpu-1:true", Vcpu.await(vcpu, f, "name the thread", 5000));
        assertTrue(vcpu.isParked(), "running a work item must not unpark a paused vCPU");
    }

    @Test
    void aWorkItemOnARunningVcpuKicksItOutOfTheGuest() throws Exception {
        FakeVcpuBackend b = new FakeVcpuBackend(1);
        newVcpu(b, VcpuLoopPolicy.STANDARD).start(false, v -> { });
        assertTrue(host.await(() -> b.runs() == 1 && vcpu.inGuest(), 5000));
        CompletableFuture<Integer> f;
        host.bql().lock(host.site());
        try {
            f = vcpu.submit("count", v -> 42);
        } finally {
            host.bql().unlock();
        }
        assertEquals(42, Vcpu.await(vcpu, f, "count", 5000));
        assertTrue(host.await(() -> b.runs() >= 2, 5000), "the vCPU must go back into the guest");
    }

    @Test
    void ioExitsAreDispatchedUnderTheLockUnlessTheDeviceLocksItself() throws Exception {
        AtomicReference<Boolean> lockedForPlain = new AtomicReference<>();
        AtomicReference<Boolean> lockedForOwn = new AtomicReference<>();
        host.pio().add(0x60, 1, "plain", new BusDevice() {
            @Override
            public long read(long offset, int size, int cpu) {
                return 0;
            }

            @Override
            public void write(long offset, int size, long value, int cpu) {
                lockedForPlain.set(host.bql().isHeldByCurrentThread());
            }
        });
        host.pio().add(0x61, 1, "own-locking", new BusDevice() {
            @Override
            public long read(long offset, int size, int cpu) {
                lockedForOwn.set(host.bql().isHeldByCurrentThread());
                return 0x5a;
            }

            @Override
            public void write(long offset, int size, long value, int cpu) {
            }

            @Override
            public boolean ownLocking() {
                return true;
            }
        });
        FakeVcpuBackend b = new FakeVcpuBackend(1).script(new VcpuExit.IoOut(0x60, 1, 1, new byte[] {7}),
                new VcpuExit.IoIn(0x61, 1, 1), new VcpuExit.IoIn(0x99, 2, 1));
        newVcpu(b, VcpuLoopPolicy.STANDARD).start(false, v -> { });
        assertTrue(host.await(() -> b.runs() >= 4, 5000));
        assertEquals(Boolean.TRUE, lockedForPlain.get());
        assertEquals(Boolean.FALSE, lockedForOwn.get());
        assertEquals(0xff, b.lastIoIn[0] & 0xff, "an unclaimed port reads all ones");
        assertEquals(0xff, b.lastIoIn[1] & 0xff);
        assertEquals(1, host.pio().unclaimedReads());
    }

    @Test
    void aTripleFaultEndsTheVcpuWithAReason() throws Exception {
        FakeVcpuBackend b = new FakeVcpuBackend(1).script(VcpuExit.SHUTDOWN);
        newVcpu(b, VcpuLoopPolicy.STANDARD).start(false, v -> { });
        assertTrue(vcpu.join(5000));
        assertEquals(1, host.faults.size());
        assertTrue(host.faults.get(0).startsWith("triple fault (KVM_EXIT_SHUTDOWN) on vcpu-1"), host.faults.get(0));
        assertEquals(VcpuRunState.STOPPED, vcpu.runState());
    }

    // ---------------------------------------------------------------- the checks catch each defect

    @Test
    void controlB_aVcpuThatLoopsHoldingTheLockIsCaughtAndNamed() throws Exception {
        HaltedVcpuSpinsControl control = new HaltedVcpuSpinsControl();
        newVcpu(new FakeVcpuBackend(1), control).start(true, v -> { });
        assertTrue(vcpu.join(10_000), "the spin guard should have ended the thread: " + vcpu.describe());
        assertEquals(1, host.crashes.size());
        LockContractViolation v = assertInstanceOf(LockContractViolation.class, host.crashes.get(0));
        assertTrue(v.getMessage().startsWith("vcpu-1 looped " + Vcpu.SPIN_LIMIT + " times holding test BQL"),
                v.getMessage());
    }

    @Test
    void controlB_withChecksOffTheStallIsSeenFromOutsideAndTheHolderIsNamed() throws Exception {
        FakeVcpuHost unchecked = new FakeVcpuHost(false);
        HaltedVcpuSpinsControl control = new HaltedVcpuSpinsControl();
        FakeVcpuBackend b = new FakeVcpuBackend(1);
        Vcpu spinner = new Vcpu(1, b, new VcpuState("vcpu-1", 1, b, WritebackPolicy.GATED_BY_LEVEL, null, false),
                unchecked, control);
        spinner.start(true, v -> { });
        try {
            Thread.sleep(200);
            boolean got = unchecked.bql().tryLock(unchecked.site(), 500, TimeUnit.MILLISECONDS);
            if (got) {
                unchecked.bql().unlock();
            }
            assertFalse(got, "with the defect, nobody else can take the Big Lock");
            String holder = unchecked.bql().holder().map(h -> h.threadName()).orElse("none");
            assertEquals("vcpu-1", holder);
        } finally {
            control.disarm();
            unchecked.bql().lock(unchecked.site());
            try {
                spinner.requestStop();
            } finally {
                unchecked.bql().unlock();
            }
            assertTrue(spinner.join(5000));
        }
    }

    @Test
    void aStepThatReturnsWithoutTheLockIsCaughtAndNamed() throws Exception {
        VcpuLoopPolicy returnsUnlocked = new VcpuLoopPolicy() {
            @Override
            public boolean mustWait(Vcpu v) {
                return false;
            }

            @Override
            public StepResult enterGuest(Vcpu v) {
                host.bql().unlock(); // the early-return path "forgets" to take it back
                return StepResult.NOT_RUNNABLE;
            }
        };
        newVcpu(new FakeVcpuBackend(1), returnsUnlocked).start(false, v -> { });
        assertTrue(vcpu.join(5000));
        LockContractViolation v = assertInstanceOf(LockContractViolation.class, host.crashes.get(0));
        assertEquals("vcpu-1 returned from the guest-entry step (NOT_RUNNABLE) without test BQL; the step must "
                + "return with it held on every path", v.getMessage());
    }

    @Test
    void enteringTheGuestWithTheLockHeldIsCaughtAndNamed() throws Exception {
        VcpuLoopPolicy entersLocked = new VcpuLoopPolicy() {
            @Override
            public boolean mustWait(Vcpu v) {
                return false;
            }

            @Override
            public StepResult enterGuest(Vcpu v) {
                v.runGuest(); // KVM_RUN without releasing the lock first
                return StepResult.ENTERED;
            }
        };
        FakeVcpuBackend b = new FakeVcpuBackend(1);
        newVcpu(b, entersLocked).start(false, v -> { });
        assertTrue(vcpu.join(5000));
        LockContractViolation v = assertInstanceOf(LockContractViolation.class, host.crashes.get(0));
        assertTrue(v.getMessage().startsWith("vcpu-1 is at vcpu-1 KVM_RUN holding test BQL"), v.getMessage());
        assertEquals(0, b.runs(), "the check fires before the hypervisor is entered");
    }

    @Test
    void theStandardLoopNeverTripsTheSpinGuardWhileRequestsStreamIn() throws Exception {
        FakeVcpuBackend b = new FakeVcpuBackend(1);
        newVcpu(b, VcpuLoopPolicy.STANDARD).start(false, v -> { });
        for (int i = 0; i < 2000; i++) {
            CompletableFuture<Integer> f;
            host.bql().lock(host.site());
            try {
                int n = i;
                f = vcpu.submit("work " + i, v -> n);
            } finally {
                host.bql().unlock();
            }
            assertEquals(i, Vcpu.await(vcpu, f, "work", 5000));
        }
        assertTrue(host.crashes.isEmpty(), String.valueOf(host.crashes));
        assertEquals(null, vcpu.crash());
    }
}
