package io.jvmm.kvm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.kvm.testing.RequiresKvm;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The binding against the real {@code /dev/kvm}: capabilities, typed errors, and tiny real-mode guests. */
@RequiresKvm
class KvmBindingTest {
    @Test
    void reportsApiVersionAndTheCapabilitiesThisProjectNeeds() {
        try (Kvm kvm = Kvm.open()) {
            assertEquals(12, kvm.apiVersion());
            for (KvmCap cap : List.of(KvmCap.IRQCHIP, KvmCap.PIT2, KvmCap.IMMEDIATE_EXIT, KvmCap.MP_STATE,
                    KvmCap.VCPU_EVENTS, KvmCap.USER_NMI, KvmCap.XCRS, KvmCap.DEBUGREGS, KvmCap.USER_MEMORY)) {
                assertTrue(kvm.hasCapability(cap), "missing " + cap);
            }
            assertTrue(kvm.checkExtension(KvmCap.MAX_VCPUS) >= kvm.checkExtension(KvmCap.NR_VCPUS));
            assertTrue(kvm.vcpuMmapSize() >= KvmAbi.KvmRun.SIZE);
            List<CpuidEntry> cpuid = kvm.supportedCpuid();
            assertTrue(cpuid.stream().anyMatch(e -> e.function() == 0), "no CPUID leaf 0");
            assertTrue(cpuid.stream().anyMatch(e -> e.function() == 1), "no CPUID leaf 1");
            int[] msrs = kvm.msrIndexList();
            assertTrue(Arrays.stream(msrs).anyMatch(i -> i == MsrEntry.IA32_TSC), "TSC missing from MSR list");
        }
        assertTrue(Kvm.isAvailable());
        assertEquals(null, Kvm.unavailabilityCause());
    }

    @Test
    void aBadDescriptorGivesATypedEbadfError() {
        KvmException e = assertThrows(KvmException.class, () -> Kvm.adopt(-1));
        assertEquals(Errno.EBADF, e.errno());
        assertEquals(9, e.errnoNumber());
        assertEquals("KVM_GET_API_VERSION failed: EBADF (Bad file descriptor)", e.getMessage());
    }

    @Test
    void aDuplicateVcpuIdGivesEexist() {
        try (Kvm kvm = Kvm.open(); VmFd vm = kvm.createVm(); VcpuFd first = vm.createVcpu(0)) {
            KvmException e = assertThrows(KvmException.class, () -> vm.createVcpu(0));
            assertEquals(Errno.EEXIST, e.errno());
            assertEquals("KVM_CREATE_VCPU failed: EEXIST (File exists)", e.getMessage());
            assertEquals(0, first.id());
        }
    }

    /**
     * The state calls share one buffer per vCPU: a thread that writes and reads back the registers
     * while another reads the LAPIC, XSAVE, MSRs and special registers of the same vCPU must always
     * get its own values back, never a buffer the other thread half overwrote.
     */
    @Test
    void stateCallsFromTwoThreadsNeverShareAHalfUsedBuffer() throws Exception {
        try (Kvm kvm = Kvm.open(); VmFd vm = kvm.createVm()) {
            vm.createIrqchip();
            try (VcpuFd v = vm.createVcpu(0)) {
                java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
                CompletableFuture<Void> other = CompletableFuture.runAsync(() -> {
                    int[] msrs = {0x174, 0x175, 0x176};
                    while (!done.get()) {
                        v.getLapic();
                        v.getXsave();
                        v.getMsrs(msrs);
                        v.getSregs();
                    }
                });
                try {
                    for (int i = 1; i <= 20_000; i++) {
                        long[] set = new long[18];
                        Arrays.fill(set, 0, 17, i * 0x0101_0101L);
                        set[17] = 0x2;
                        v.setRegs(Regs.of(set));
                        assertArrayEquals(set, v.getRegs().toArray(), "round " + i);
                    }
                } finally {
                    done.set(true);
                    other.get(10, TimeUnit.SECONDS);
                }
            }
        }
    }

    @Test
    void aClosedDescriptorIsNeverReused() {
        Kvm kvm = Kvm.open();
        kvm.close();
        kvm.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, kvm::apiVersion);
        assertTrue(e.getMessage().contains("is closed"), e.getMessage());
    }

    @Test
    void runsAGuestToAnIoExitAndThenToHlt() {
        // mov dx, 0x3f8; mov al, 'A'; out dx, al; hlt
        try (TinyVm t = new TinyVm(false, 0xba, 0xf8, 0x03, 0xb0, 0x41, 0xee, 0xf4)) {
            VcpuExit exit = t.vcpu.run();
            VcpuExit.IoOut out = assertInstanceOf(VcpuExit.IoOut.class, exit);
            assertEquals(0x3f8, out.port());
            assertEquals(1, out.size());
            assertEquals('A', out.value());
            assertEquals(VcpuExit.HLT, t.vcpu.run());
            assertEquals(TinyVm.CODE + 7, t.vcpu.getRegs().rip());
        }
    }

    @Test
    void answersAnIoReadAndSeesTheValueComeBack() {
        // mov dx, 0x60; in al, dx; mov dx, 0x61; out dx, al; hlt
        try (TinyVm t = new TinyVm(false, 0xba, 0x60, 0x00, 0xec, 0xba, 0x61, 0x00, 0xee, 0xf4)) {
            assertEquals(new VcpuExit.IoIn(0x60, 1, 1), t.vcpu.run());
            t.vcpu.completeIoIn(new byte[] {0x5a});
            VcpuExit.IoOut out = assertInstanceOf(VcpuExit.IoOut.class, t.vcpu.run());
            assertEquals(0x61, out.port());
            assertEquals(0x5a, out.value());
        }
    }

    @Test
    void reportsAWriteToUnbackedMemoryAsMmio() {
        // mov ax, 0x2000; mov ds, ax; mov byte [0], 7; hlt   -> write to 0x20000, outside the 64 KiB slot
        try (TinyVm t = new TinyVm(false, 0xb8, 0x00, 0x20, 0x8e, 0xd8, 0xc6, 0x06, 0x00, 0x00, 0x07, 0xf4)) {
            assertEquals(new VcpuExit.MmioWrite(0x20000, 1, 7), t.vcpu.run());
        }
    }

    @Test
    void stateRoundTripsAndOnlyWritesAreCounted() {
        try (TinyVm t = new TinyVm(true, 0xf4)) {
            long before = t.vcpu.stateWrites();
            Regs r = t.vcpu.getRegs();
            Sregs s = t.vcpu.getSregs();
            VcpuEvents ev = t.vcpu.getVcpuEvents();
            MpState mp = t.vcpu.getMpState();
            LapicState lapic = t.vcpu.getLapic();
            List<Xcr> xcrs = t.vcpu.getXcrs();
            DebugRegs dr = t.vcpu.getDebugRegs();
            Fpu fpu = t.vcpu.getFpu();
            List<MsrEntry> msrs = t.vcpu.getMsrs(new int[] {MsrEntry.IA32_SYSENTER_CS, MsrEntry.IA32_TSC});
            assertEquals(before, t.vcpu.stateWrites(), "reads must not count as writes");
            assertEquals(MpState.RUNNABLE, mp, "vCPU 0 starts runnable after KVM_CREATE_IRQCHIP");
            assertEquals(0, lapic.apicId());
            assertEquals(TinyVm.CODE, r.rip());
            assertEquals(2, msrs.size());

            t.vcpu.setRegs(r.withRaxRbx(0x2badb002L, 0x9000));
            assertEquals(0x2badb002L, t.vcpu.getRegs().rax());
            t.vcpu.setSregs(s);
            assertEquals(s, t.vcpu.getSregs());
            t.vcpu.setVcpuEvents(ev.withFlags(0));
            t.vcpu.setLapic(lapic);
            assertArrayEquals(lapic.regs(), t.vcpu.getLapic().regs());
            t.vcpu.setXcrs(xcrs);
            t.vcpu.setDebugRegs(dr);
            t.vcpu.setFpu(fpu);
            assertEquals(fpu, t.vcpu.getFpu());
            t.vcpu.setMsrs(List.of(new MsrEntry(MsrEntry.IA32_SYSENTER_CS, 0x10)));
            assertEquals(0x10, t.vcpu.getMsrs(new int[] {MsrEntry.IA32_SYSENTER_CS}).get(0).data());
            t.vcpu.setMpState(MpState.RUNNABLE);
            assertEquals(before + 9, t.vcpu.stateWrites(), t.vcpu.stateWritesByIoctl().toString());
            assertEquals(1L, t.vcpu.stateWritesByIoctl().get("KVM_SET_MP_STATE"));
        }
    }

    @Test
    void xsaveCarriesMxcsrAndRoundTrips() {
        try (TinyVm t = new TinyVm(true, 0xf4)) {
            byte[] image = t.vcpu.getXsave();
            assertEquals(4096, image.length);
            Fpu fpu = Fpu.fromXsave(image);
            assertEquals(0x37f, fpu.fcw(), "FCW after reset");
            assertEquals(0x1f80, fpu.mxcsr(), "MXCSR after reset, as the SDM defines it");
            Fpu changed = new Fpu(fpu.fpr(), 0x27f, 0, 0, 0, 0, 0, fpu.xmm(), 0x1fa0);
            long before = t.vcpu.stateWrites();
            t.vcpu.setXsave(changed.intoXsave(image));
            assertEquals(before + 1, t.vcpu.stateWrites());
            Fpu back = Fpu.fromXsave(t.vcpu.getXsave());
            assertEquals(0x27f, back.fcw());
            assertEquals(0x1fa0, back.mxcsr());
        }
    }

    @Test
    void aKickGetsABusyVcpuOutOfKvmRun() throws Exception {
        // inc word [0x2000]; jmp back  (spins in the guest forever, counting)
        try (TinyVm t = new TinyVm(false, 0xff, 0x06, 0x00, 0x20, 0xeb, 0xfa)) {
            assertKickInterrupts(t.vcpu, tid -> {
                // Inside KVM_RUN for certain: the guest's counter moves.
                int before = t.ram.pointer().getShort(0x2000) & 0xffff;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (System.nanoTime() < deadline) {
                    if ((t.ram.pointer().getShort(0x2000) & 0xffff) != before) {
                        return true;
                    }
                    Thread.onSpinWait();
                }
                return false;
            });
        }
    }

    @Test
    void aKickGetsAVcpuHaltedInTheKernelOutOfKvmRun() throws Exception {
        // cli; hlt  with an in-kernel APIC: the vCPU sleeps inside KVM_RUN and no exit would ever come
        try (TinyVm t = new TinyVm(true, 0xfa, 0xf4)) {
            assertKickInterrupts(t.vcpu, KvmBindingTest::blockedInKvmRun);
            assertEquals(MpState.HALTED, t.vcpu.getMpState());
        }
    }

    @Test
    void point4_aCloseWhileTheVcpuIsInsideKvmRunWaitsUntilTheRunReturns() throws Exception {
        // wait: cmp byte [0x2000], 0; je wait; out 0xf4, al; hlt
        try (TinyVm t = new TinyVm(false, 0x80, 0x3e, 0x00, 0x20, 0x00, 0x74, 0xf9, 0xe6, 0xf4, 0xf4)) {
            int n = t.vcpu.fd();
            java.nio.file.Path link = java.nio.file.Path.of("/proc/self/fd/" + n);
            String file = java.nio.file.Files.readSymbolicLink(link).toString();
            CompletableFuture<VcpuExit> exit = CompletableFuture.supplyAsync(t.vcpu::run);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (t.vcpu.callsInFlight() == 0 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertEquals(1, t.vcpu.callsInFlight());
            t.vcpu.close();
            assertTrue(t.vcpu.isClosed(), "no new call may start");
            assertEquals(file, java.nio.file.Files.readSymbolicLink(link).toString(),
                    "the descriptor must stay open while KVM_RUN uses it");
            assertFalse(exit.isDone());
            t.ram.pointer().setByte(0x2000, (byte) 1); // let the guest leave its loop
            VcpuExit.IoOut out = assertInstanceOf(VcpuExit.IoOut.class, exit.get(10, TimeUnit.SECONDS));
            assertEquals(0xf4, out.port());
            assertEquals(0, t.vcpu.callsInFlight());
            assertTrue(!java.nio.file.Files.exists(link)
                    || !file.equals(java.nio.file.Files.readSymbolicLink(link).toString()),
                    "the last call out closes the descriptor");
        }
    }

    /**
     * Whether thread {@code tid} is blocked in the KVM_RUN ioctl: /proc's syscall file shows
     * syscall 16 (ioctl on x86-64) with KVM_RUN as its second argument. Polled for up to 10 s.
     */
    static boolean blockedInKvmRun(int tid) {
        String want = "0x" + Long.toHexString(KvmIoctls.KVM_RUN);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            try {
                String[] f = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/task/" + tid
                        + "/syscall")).trim().split(" ");
                if (f.length > 2 && f[0].equals("16") && f[2].equals(want)) {
                    return true;
                }
            } catch (java.io.IOException e) {
                return false;
            }
            Thread.onSpinWait();
        }
        return false;
    }

    /**
     * Runs {@code vcpu} on a new thread, waits until {@code inside} proves the thread is inside
     * KVM_RUN (not merely about to call it), kicks it, and checks that KVM_RUN returned because of
     * the kick, and that a kick after the thread unbound sends nothing.
     */
    static void assertKickInterrupts(VcpuFd vcpu, java.util.function.IntPredicate inside) throws Exception {
        CountDownLatch bound = new CountDownLatch(1);
        int[] tid = {0};
        CompletableFuture<VcpuExit> exit = new CompletableFuture<>();
        Thread th = new Thread(() -> {
            try {
                vcpu.bindKickToCurrentThread();
                tid[0] = LibC.gettid();
                bound.countDown();
                exit.complete(vcpu.run());
            } catch (Throwable e) {
                exit.completeExceptionally(e);
            } finally {
                vcpu.unbindKick();
            }
        }, "vcpu-0");
        th.start();
        assertTrue(bound.await(10, TimeUnit.SECONDS));
        assertTrue(inside.test(tid[0]), "the vCPU thread never got inside KVM_RUN");
        assertFalse(exit.isDone(), "KVM_RUN returned before the kick: " + exit);
        assertTrue(vcpu.kick());
        assertEquals(VcpuExit.INTERRUPTED, exit.get(10, TimeUnit.SECONDS));
        th.join(10_000);
        assertNotEquals(Thread.State.RUNNABLE, th.getState());
        assertTrue(!vcpu.kick(), "a kick after unbind must not send a signal");
    }
}
