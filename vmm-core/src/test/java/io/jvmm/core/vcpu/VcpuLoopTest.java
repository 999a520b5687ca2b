package io.jvmm.core.vcpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.core.devices.BusDevice;
import io.jvmm.core.lock.LockContractViolation;
import io.jvmm.core.testing.FakeVcpuBackend;
import io.jvmm.core.testing.FakeVcpuHost;
import io.jvmm.core.testing.HaltedVcpuSpinsControl;
import io.jvmm.core.testing.KickedPastThePauseControl;
import io.jvmm.kvm.Regs;
import io.jvmm.kvm.VcpuExit;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The vCPU loop's state machine and Big Lock contract, driven with a fake hypervisor so every
 * interleaving is deterministic. Each property has a test that the loop keeps it and, where a
 * defect can be reintroduced, a test that the loop's checks catch the defect.
 */
class VcpuLoopTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private final FakeVcpuHost host = new FakeVcpuHost(true);
    private Vcpu vcpu;

    private Vcpu newVcpu(FakeVcpuBackend backend, VcpuLoopPolicy policy) {
        return newVcpu(backend, policy, Vcpu.SPIN_LIMIT);
    }

    private Vcpu newVcpu(FakeVcpuBackend backend, VcpuLoopPolicy policy, int spinLimit) {
        VcpuState state = new VcpuState("vcpu-1", 1, backend, WritebackPolicy.GATED_BY_LEVEL, null, false);
        vcpu = new Vcpu(1, backend, state, host, policy, spinLimit);
        return vcpu;
    }

    @AfterEach
    void stop() throws Exception {
        if (vcpu != null && vcpu.runState() != VcpuRunState.STOPPED) {
            locked(() -> vcpu.requestStop());
            assertTrue(vcpu.join(5000), "vCPU thread did not stop: " + vcpu.describe());
        }
    }

    private <T> T locked(Supplier<T> s) {
        host.bql().lock(host.site());
        try {
            return s.get();
        } finally {
            host.bql().unlock();
        }
    }

    private void locked(Runnable r) {
        locked(() -> {
            r.run();
            return null;
        });
    }

    private <T> PendingRequest<T> send(VcpuRequest<T> r, long deadlineNanos) {
        return locked(() -> vcpu.submit(r, deadlineNanos));
    }

    private VcpuSnapshot read() {
        return send(new VcpuRequest.ReadState(), System.nanoTime() + 5 * SECOND).await(vcpu, 5000);
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

    private static void await(CountDownLatch l) {
        try {
            l.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
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
    void aPowerOnRequestWritesItsStateOnTheVcpuThreadThenTheVcpuEntersTheGuest() throws Exception {
        FakeVcpuBackend b = new FakeVcpuBackend(1);
        newVcpu(b, VcpuLoopPolicy.STANDARD).start(true, v -> { });
        assertTrue(host.await(vcpu::isParked, 5000));
        CpuImage start = CpuImage.empty().withRegs(Regs.reset().withRip(0x7000));
        assertTrue(locked(() -> vcpu.requestPowerOn(start)));
        assertFalse(locked(() -> vcpu.requestPowerOn(start)), "a second start while one is pending must be refused");
        assertTrue(host.await(() -> b.runs() > 0, 5000), vcpu.describe());
        assertEquals(0x7000, b.regs.rip());
        assertEquals("vcpu-1", b.lastWriter);
        assertEquals(VcpuRunState.RUNNING, vcpu.runState());
        assertTrue(vcpu.inGuest());
        assertTrue(lockIsFree(), "a vCPU in KVM_RUN must not hold the Big Lock");
        assertFalse(locked(() -> vcpu.requestPowerOn(start)), "a running CPU is not powered off");
    }

    @Test
    void requestsForAStoppedVcpuFailWithATypedStopSoTheMachineCanAnswerForIt() throws Exception {
        FakeVcpuBackend b = new FakeVcpuBackend(1);
        newVcpu(b, VcpuLoopPolicy.STANDARD).start(false, v -> { });
        assertTrue(host.await(() -> b.runs() == 1, 5000));
        PendingRequest<VcpuSnapshot> late = locked(() -> {
            vcpu.requestStop();
            return vcpu.submit(new VcpuRequest.ReadState(), System.nanoTime() + 5 * SECOND);
        });
        assertTrue(vcpu.join(5000), vcpu.describe());
        ExecutionException e = assertThrows(ExecutionException.class, () -> late.answer().get(5, TimeUnit.SECONDS));
        assertInstanceOf(VcpuStoppedException.class, e.getCause());
        assertEquals("vcpu-1 has stopped; cannot read registers", e.getCause().getMessage());
    }

    @Test
    void aReadAskedBeforeAStopIsAnsweredAsTheThreadEnds() throws Exception {
        FakeVcpuBackend b = new FakeVcpuBackend(1);
        CountDownLatch setupMayEnd = new CountDownLatch(1);
        newVcpu(b, VcpuLoopPolicy.STANDARD).start(false, v -> await(setupMayEnd));
        // Both queued before the thread reaches its loop, which then runs the stop first.
        PendingRequest<VcpuSnapshot> read = locked(() -> {
            PendingRequest<VcpuSnapshot> r = vcpu.submit(new VcpuRequest.ReadState(), System.nanoTime() + 5 * SECOND);
            vcpu.requestStop();
            return r;
        });
        setupMayEnd.countDown();
        assertTrue(vcpu.join(5000), vcpu.describe());
        assertEquals(1, read.answer().get(5, TimeUnit.SECONDS).cpuIndex());
        assertEquals(0, b.runs());
    }

    @Test
    void aPowerOnThatArrivesBeforeAPoweredOffThreadReachesItsLoopIsTaken() throws Exception {
        FakeVcpuBackend b = new FakeVcpuBackend(1);
        CountDownLatch setupMayEnd = new CountDownLatch(1);
        newVcpu(b, VcpuLoopPolicy.STANDARD).start(true, v -> await(setupMayEnd));
        CpuImage start = CpuImage.empty().withRegs(Regs.reset().withRip(0x8000));
        assertEquals(VcpuRunState.CREATED, vcpu.runState());
        assertTrue(locked(() -> vcpu.requestPowerOn(start)),
                "a CPU started powered off is powered off before its thread reaches the loop");
        assertFalse(locked(() -> vcpu.requestPowerOn(start)), "a second start while one is pending must be refused");
        setupMayEnd.countDown();
        assertTrue(host.await(() -> b.runs() > 0, 5000), vcpu.describe());
        assertEquals(0x8000, b.regs.rip());
        assertEquals(VcpuRunState.RUNNING, vcpu.runState());
    }

    @Test
    void aVcpuStartedRunningIsNotPoweredOffWhileItIsBeingCreated() throws Exception {
        FakeVcpuBackend b = new FakeVcpuBackend(1);
        CountDownLatch setupMayEnd = new CountDownLatch(1);
        newVcpu(b, VcpuLoopPolicy.STANDARD).start(false, v -> await(setupMayEnd));
        assertFalse(locked(() -> vcpu.requestPowerOn(CpuImage.empty())));
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
    void requestsRunOnTheVcpuThreadEvenWhilePausedAndLeaveItParked() throws Exception {
        FakeVcpuBackend b = new FakeVcpuBackend(1);
        newVcpu(b, VcpuLoopPolicy.STANDARD).start(false, v -> { });
        host.setPaused(true, vcpu);
        assertTrue(host.await(vcpu::isParked, 5000));
        VcpuSnapshot s = read();
        assertEquals(1, s.cpuIndex());
        assertEquals("vcpu-1", b.lastReader);
        assertTrue(vcpu.isParked(), "running a request must not unpark a paused vCPU");
        assertEquals(0, b.stateWrites(), "a read writes nothing");
    }

    @Test
    void aRequestOnARunningVcpuKicksItOutOfTheGuest() throws Exception {
        FakeVcpuBackend b = new FakeVcpuBackend(1);
        newVcpu(b, VcpuLoopPolicy.STANDARD).start(false, v -> { });
        assertTrue(host.await(() -> b.runs() == 1 && vcpu.inGuest(), 5000));
        assertTrue(send(new VcpuRequest.InjectNmi(), System.nanoTime() + 5 * SECOND).await(vcpu, 5000));
        assertTrue(host.await(() -> b.runs() >= 2, 5000), "the vCPU must go back into the guest");
    }

    /**
     * A register read is answered by the vCPU thread between two guest entries without the Big
     * Lock: here the reader holds the lock the whole time, and the vCPU still answers and goes
     * back into the guest. (Answered under the lock, as reads once were, this read times out.)
     */
    @Test
    void aRegisterReadIsAnsweredAndTheVcpuRunsOnWhileAnotherThreadHoldsTheBigLock() throws Exception {
        FakeVcpuBackend b = new FakeVcpuBackend(1);
        newVcpu(b, VcpuLoopPolicy.STANDARD).start(false, v -> { });
        assertTrue(host.await(() -> b.runs() == 1 && vcpu.inGuest(), 5000));
        host.bql().lock(host.site());
        try {
            VcpuSnapshot s = vcpu.submit(new VcpuRequest.ReadState(), System.nanoTime() + 5 * SECOND).await(vcpu, 5000);
            assertEquals(1, s.cpuIndex());
            assertEquals("vcpu-1", b.lastReader);
            assertTrue(host.await(() -> b.runs() == 2 && vcpu.inGuest(), 5000),
                    "after the read the vCPU must go back into the guest without the lock: " + vcpu.describe());
        } finally {
            host.bql().unlock();
        }
        assertEquals(0, b.stateWrites(), "a read writes nothing");
        // A request that is not a read still takes the vCPU through its loop, under the lock.
        assertTrue(send(new VcpuRequest.InjectNmi(), System.nanoTime() + 5 * SECOND).await(vcpu, 5000));
    }

    /**
     * The read's shortcut back into the guest is taken only for a kick nothing else asked for: a
     * pause kicks with the request flag set, so the vCPU goes through its loop and parks, reads
     * before and after notwithstanding.
     */
    @Test
    void aVcpuKickedForAPauseParksEvenRightAfterAReadsShortcut() throws Exception {
        FakeVcpuBackend b = new FakeVcpuBackend(1);
        newVcpu(b, VcpuLoopPolicy.STANDARD).start(false, v -> { });
        assertTrue(host.await(() -> b.runs() == 1 && vcpu.inGuest(), 5000));
        read();
        assertTrue(host.await(() -> b.runs() == 2 && vcpu.inGuest(), 5000), vcpu.describe());
        host.setPaused(true, vcpu);
        assertTrue(host.await(vcpu::isParked, 5000), vcpu.describe());
        assertEquals(1, read().cpuIndex());
        assertTrue(vcpu.isParked(), "a read must not unpark a paused vCPU");
        assertEquals(2, b.runs(), "a paused vCPU must not enter the guest");
    }

    /** Control (d): a shortcut that ignores the request flag swallows the pause's kick, and the vCPU never parks. */
    @Test
    void controlD_aShortcutThatIgnoresTheRequestFlagIsCaughtNeverParking() throws Exception {
        FakeVcpuBackend b = new FakeVcpuBackend(1);
        KickedPastThePauseControl control = new KickedPastThePauseControl();
        newVcpu(b, control).start(false, v -> { });
        assertTrue(host.await(() -> b.runs() == 1 && vcpu.inGuest(), 5000));
        host.setPaused(true, vcpu);
        assertFalse(host.await(vcpu::isParked, 1000), "the control must keep the vCPU from parking");
        assertTrue(vcpu.inGuest(), "the pause's kick took it straight back into the guest: " + vcpu.describe());
        control.disarm();
        host.setPaused(false, vcpu);
        vcpu.requestExit(); // the pause's kick was swallowed; the stop's would find its flag already set
    }

    /**
     * A read of a running vCPU whose last exit was a port read waits for KVM to complete the
     * instruction (an entry with immediate_exit), as a read of a parking vCPU does (point 5): it
     * never shows the {@code in} half done, with the result not yet in RAX and RIP still on it.
     */
    @Test
    void aReadOfARunningVcpuNeverSeesAHalfDonePortRead() throws Exception {
        FakeVcpuBackend b = new FakeVcpuBackend(1).script(new VcpuExit.IoIn(0x61, 1, 1));
        b.regs = Regs.reset().withRip(0x1000);
        AtomicReference<PendingRequest<VcpuSnapshot>> asked = new AtomicReference<>();
        host.pio().add(0x61, 1, "read-during-in", new BusDevice() {
            @Override
            public long read(long offset, int size, int cpu) {
                // The monitor asks for the registers exactly while this port read is answered.
                asked.set(vcpu.submit(new VcpuRequest.ReadState(), System.nanoTime() + 5 * SECOND));
                return 0x5a;
            }

            @Override
            public void write(long offset, int size, long value, int cpu) {
            }
        });
        newVcpu(b, VcpuLoopPolicy.STANDARD).start(false, v -> { });
        assertTrue(host.await(() -> asked.get() != null, 5000), vcpu.describe());
        VcpuSnapshot s = asked.get().await(vcpu, 5000);
        assertEquals(0x5a, s.regs().rax() & 0xff, "the in instruction must be complete when the vCPU is read");
        assertEquals(0x1001, s.regs().rip());
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

    // ---------------------------------------------------------------- hardening, point 1: late requests

    @Test
    void point1_aRequestPastItsDeadlineIsDroppedNeverRun() throws Exception {
        FakeVcpuBackend b = new FakeVcpuBackend(1);
        CountDownLatch setupMayEnd = new CountDownLatch(1);
        newVcpu(b, VcpuLoopPolicy.STANDARD).start(false, v -> await(setupMayEnd));
        // An NMI request that must be answered within 20 ms, while the thread is still starting.
        PendingRequest<Boolean> nmi = send(new VcpuRequest.InjectNmi(), System.nanoTime() + 20_000_000L);
        Thread.sleep(60);
        setupMayEnd.countDown();
        ExecutionException e = assertThrows(ExecutionException.class, () -> nmi.answer().get(5, TimeUnit.SECONDS));
        assertInstanceOf(RequestDroppedException.class, e.getCause());
        assertEquals("dropped 'inject an NMI' without running it: its deadline passed", e.getCause().getMessage());
        assertTrue(host.await(() -> b.runs() > 0, 5000));
        assertEquals(0, b.nmis, "a request past its deadline must never run");
    }

    @Test
    void point1_aRequestWhoseSenderGaveUpIsNeverRunEvenBeforeItsDeadline() throws Exception {
        FakeVcpuBackend b = new FakeVcpuBackend(1);
        CountDownLatch setupMayEnd = new CountDownLatch(1);
        newVcpu(b, VcpuLoopPolicy.STANDARD).start(false, v -> await(setupMayEnd));
        PendingRequest<Boolean> nmi = send(new VcpuRequest.InjectNmi(), System.nanoTime() + 10 * SECOND);
        assertTrue(nmi.cancel(), "nothing has claimed it yet");
        setupMayEnd.countDown();
        assertTrue(host.await(() -> b.runs() > 0, 5000));
        assertEquals(0, b.nmis, "a request given up on must never run");
        assertFalse(nmi.claimed());
    }

    @Test
    void point1_aSenderThatTimesOutCancelsItsRequestSoItNeverRunsLater() throws Exception {
        FakeVcpuBackend b = new FakeVcpuBackend(1);
        CountDownLatch setupMayEnd = new CountDownLatch(1);
        newVcpu(b, VcpuLoopPolicy.STANDARD).start(false, v -> await(setupMayEnd));
        PendingRequest<Boolean> nmi = send(new VcpuRequest.InjectNmi(), System.nanoTime() + 30_000_000L);
        VcpuTimeoutException t = assertThrows(VcpuTimeoutException.class, () -> nmi.await(vcpu, 5000));
        assertTrue(t.getMessage().startsWith("vcpu-1 did not inject an NMI in time: vcpu-1 (created"), t.getMessage());
        setupMayEnd.countDown();
        assertTrue(host.await(() -> b.runs() > 0, 5000));
        assertEquals(0, b.nmis);
    }

    // ---------------------------------------------------------------- point 2: a thread never dies silently

    @Test
    void point2_anErrorDuringSetUpIsReportedToTheMachine() throws Exception {
        newVcpu(new FakeVcpuBackend(1), VcpuLoopPolicy.STANDARD).start(false, v -> {
            throw new StackOverflowError("set-up blew its stack");
        });
        assertTrue(vcpu.join(5000));
        assertEquals(1, host.crashes.size(), "the machine must hear of the death");
        assertInstanceOf(StackOverflowError.class, host.crashes.get(0));
        assertEquals(VcpuRunState.STOPPED, vcpu.runState());
        assertTrue(lockIsFree());
    }

    @Test
    void point2_anErrorInTheLoopIsReportedToTheMachine() throws Exception {
        FakeVcpuBackend b = new FakeVcpuBackend(1);
        b.onRun(x -> {
            throw new AssertionError("a defect deep in an exit handler");
        });
        newVcpu(b, VcpuLoopPolicy.STANDARD).start(false, v -> { });
        assertTrue(vcpu.join(5000));
        assertEquals(1, host.crashes.size());
        assertEquals("a defect deep in an exit handler", host.crashes.get(0).getMessage());
        assertTrue(lockIsFree(), "the dead thread must not keep the Big Lock");
    }

    // ---------------------------------------------------------------- point 5: no half-done I/O at a pause

    @Test
    void point5_aPortReadIsCompletedBeforeTheVcpuParksSoAReadSeesItsResult() throws Exception {
        FakeVcpuBackend b = new FakeVcpuBackend(1).script(new VcpuExit.IoIn(0x61, 1, 1));
        b.regs = Regs.reset().withRip(0x1000);
        host.pio().add(0x61, 1, "pauses-on-read", new BusDevice() {
            @Override
            public long read(long offset, int size, int cpu) {
                // The monitor stops the machine exactly while this read is answered.
                host.raisePauseLocked(vcpu);
                return 0x5a;
            }

            @Override
            public void write(long offset, int size, long value, int cpu) {
            }
        });
        newVcpu(b, VcpuLoopPolicy.STANDARD).start(false, v -> { });
        assertTrue(host.await(vcpu::isParked, 5000), vcpu.describe());
        VcpuSnapshot s = read();
        assertEquals(0x5a, s.regs().rax() & 0xff, "the in instruction must be complete when the vCPU is read");
        assertEquals(0x1001, s.regs().rip());
        assertEquals(1, b.immediateExits);
        assertEquals(1, b.runs(), "completing the read runs no guest code");
    }

    // ---------------------------------------------------------------- point 6: the cache follows the kernel

    @Test
    void point6_anNmiInjectedAfterARegisterReadShowsInTheNextRead() throws Exception {
        FakeVcpuBackend b = new FakeVcpuBackend(1);
        newVcpu(b, VcpuLoopPolicy.STANDARD).start(false, v -> { });
        host.setPaused(true, vcpu);
        assertTrue(host.await(vcpu::isParked, 5000));
        assertFalse(read().events().nmi().pending(), "stop; info registers");
        assertTrue(send(new VcpuRequest.InjectNmi(), System.nanoTime() + 5 * SECOND).await(vcpu, 5000), "nmi");
        assertTrue(read().events().nmi().pending(), "info registers must show the NMI the button just queued");
    }

    // ---------------------------------------------------------------- the lifecycle is enforced

    @Test
    void anIllegalRunStateChangeIsRejectedLoudlyAndWritesNothing() throws Exception {
        FakeVcpuBackend b = new FakeVcpuBackend(1);
        newVcpu(b, VcpuLoopPolicy.STANDARD).start(true, v -> { });
        assertTrue(host.await(vcpu::isParked, 5000));
        WriteGrant held = WriteGrant.whileTrue(WritebackLevel.RESET, "test", () -> true);
        PendingRequest<Void> r = send(new VcpuRequest.Reset(CpuImage.empty(), VcpuRunState.HALTED, held),
                System.nanoTime() + 5 * SECOND);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> r.await(vcpu, 5000));
        assertTrue(e.getMessage().startsWith("vcpu-1: no run-state transition from POWERED_OFF to HALTED"),
                e.getMessage());
        assertEquals(VcpuRunState.POWERED_OFF, vcpu.runState());
        assertNull(vcpu.crash(), "a refused request does not kill the vCPU");
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

    /** Streams 2,000 requests at a vCPU whose spin guard trips at 20 idle turns; returns what the loop crashed with. */
    private java.util.List<Throwable> streamRequests(VcpuLoopPolicy policy) throws Exception {
        FakeVcpuBackend b = new FakeVcpuBackend(1);
        newVcpu(b, policy, 20).start(false, v -> { });
        for (int i = 0; i < 2000 && host.crashes.isEmpty(); i++) {
            try {
                // NMIs, not register reads: a read is answered without going through the loop.
                assertTrue(send(new VcpuRequest.InjectNmi(), System.nanoTime() + 5 * SECOND).await(vcpu, 5000));
            } catch (VcpuStoppedException e) {
                break;
            }
        }
        return host.crashes;
    }

    @Test
    void theStandardLoopNeverTripsTheSpinGuardWhileRequestsStreamIn() throws Exception {
        assertTrue(streamRequests(VcpuLoopPolicy.STANDARD).isEmpty(), String.valueOf(host.crashes));
        assertNull(vcpu.crash());
    }

    @Test
    void theSpinGuardTripsForALoopThatStopsEnteringTheGuestOnceRequestsCome() throws Exception {
        // The broken variant: after its first request the vCPU always returns early, lock held.
        VcpuLoopPolicy sticky = new VcpuLoopPolicy() {
            private volatile boolean sawRequest;

            @Override
            public boolean mustWait(Vcpu v) {
                return !v.canRun();
            }

            @Override
            public StepResult enterGuest(Vcpu v) {
                return sawRequest ? StepResult.REQUEST_PENDING : v.enterGuestOnce();
            }

            @Override
            public boolean admit(PendingRequest<?> r, long now) {
                sawRequest = true;
                return r.claim(now);
            }
        };
        java.util.List<Throwable> crashes = streamRequests(sticky);
        assertEquals(1, crashes.size(), "the guard must catch it");
        assertTrue(crashes.get(0).getMessage().startsWith("vcpu-1 looped 20 times holding test BQL"),
                crashes.get(0).getMessage());
    }
}
