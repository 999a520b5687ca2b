package io.jvmm.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.kvm.testing.RequiresKvm;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The two ways of calling KVM_RUN and consuming kicks: the JNI shim this module builds, and JNA. */
class RunPathTest {
    @Test
    void theShimIsBuiltByThisBuildAndLoads() {
        // The build compiles src/main/c into the jar; a machine that can build can load it.
        assertNull(RunPath.shimUnavailabilityCause());
        assertEquals(RunShim.VERSION, RunShim.version());
        assertEquals(RunPath.JNI, RunPath.preferred(), "-D" + RunPath.PROPERTY + " must not be set for the tests");
    }

    @Test
    void theShimReturnsMinusErrno() {
        assertEquals(-Errno.EBADF.number(), RunShim.ioctl(-1, KvmIoctls.KVM_GET_API_VERSION, 0));
    }

    @RequiresKvm
    @Test
    void theShimPassesTheRequestAndItsArgumentToTheKernel() {
        try (Kvm kvm = Kvm.open()) {
            assertEquals(12, RunShim.ioctl(kvm.fd(), KvmIoctls.KVM_GET_API_VERSION, 0));
            for (KvmCap cap : KvmCap.values()) {
                assertEquals(kvm.checkExtension(cap), RunShim.ioctl(kvm.fd(), KvmIoctls.KVM_CHECK_EXTENSION, cap.number()),
                        cap.name());
            }
        }
    }

    @RequiresKvm
    @ParameterizedTest
    @EnumSource(RunPath.class)
    void eitherPathRunsAGuestToItsExits(RunPath path) {
        // mov dx, 0x3f8; mov al, 'A'; out dx, al; hlt
        try (TinyVm t = new TinyVm(false, 0xba, 0xf8, 0x03, 0xb0, 0x41, 0xee, 0xf4)) {
            t.vcpu.useRunPath(path);
            assertEquals(path, t.vcpu.runPath());
            VcpuExit.IoOut out = assertInstanceOf(VcpuExit.IoOut.class, t.vcpu.run());
            assertEquals(0x3f8, out.port());
            assertEquals('A', out.value());
            assertEquals(VcpuExit.HLT, t.vcpu.run());
        }
    }

    @RequiresKvm
    @ParameterizedTest
    @EnumSource(RunPath.class)
    void eitherPathTurnsEintrIntoAnInterruptedExit(RunPath path) throws Exception {
        // cli; hlt with an in-kernel APIC: only immediate_exit or a kick gets the vCPU out
        try (TinyVm t = new TinyVm(true, 0xfa, 0xf4)) {
            t.vcpu.useRunPath(path);
            t.vcpu.runPage().setImmediateExit(true);
            assertEquals(VcpuExit.INTERRUPTED, t.vcpu.run());
            KvmBindingTest.assertKickInterrupts(t.vcpu, KvmBindingTest::blockedInKvmRun);
        }
    }

    @RequiresKvm
    @ParameterizedTest
    @EnumSource(RunPath.class)
    void aKickOutsideKvmRunIsAbsorbedAndTheNextRunReturnsAtOnce(RunPath path) throws Exception {
        // jmp $: without the kick's immediate_exit, the second run would never return
        try (TinyVm t = new TinyVm(true, 0xeb, 0xfe)) {
            t.vcpu.useRunPath(path);
            CountDownLatch bound = new CountDownLatch(1);
            CountDownLatch kicked = new CountDownLatch(1);
            CompletableFuture<VcpuExit> exit = new CompletableFuture<>();
            Thread th = new Thread(() -> {
                try {
                    t.vcpu.bindKickToCurrentThread();
                    bound.countDown();
                    // Parked in Java (a futex wait) while the kicks arrive: they must neither kill
                    // the thread nor be lost.
                    kicked.await();
                    Thread.sleep(20);
                    exit.complete(t.vcpu.run());
                } catch (Throwable e) {
                    exit.completeExceptionally(e);
                } finally {
                    t.vcpu.unbindKick();
                }
            }, "vcpu-0");
            th.start();
            assertTrue(bound.await(10, TimeUnit.SECONDS));
            for (int i = 0; i < 3; i++) {
                assertTrue(t.vcpu.kick());
            }
            kicked.countDown();
            assertEquals(VcpuExit.INTERRUPTED, exit.get(10, TimeUnit.SECONDS));
            th.join(10_000);
            assertEquals(3, t.vcpu.kickCount());
        }
    }
}
