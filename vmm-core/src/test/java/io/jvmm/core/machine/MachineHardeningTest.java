package io.jvmm.core.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.core.boot.ElfBuilder;
import io.jvmm.core.boot.MultibootImage;
import io.jvmm.core.devices.BusDevice;
import io.jvmm.core.testing.RunningGuest;
import io.jvmm.core.testing.TestGuests;
import io.jvmm.core.vcpu.StepResult;
import io.jvmm.core.vcpu.Vcpu;
import io.jvmm.core.vcpu.VcpuLoopPolicy;
import io.jvmm.core.vcpu.VcpuSnapshot;
import io.jvmm.kvm.testing.RequiresKvm;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The hardening issue's points on a real machine (KVM): each test is named after its point and
 * drives the path the review found, where the fake-hypervisor tests in {@code vcpu} cannot reach.
 */
@RequiresKvm
class MachineHardeningTest {
    private static final long ENTRY = ElfBuilder.PROGRAM_ENTRY;

    private static MachineConfig.Builder program(String name, int... code) throws Exception {
        byte[] bytes = new byte[code.length];
        for (int i = 0; i < code.length; i++) {
            bytes[i] = (byte) code[i];
        }
        return MachineConfig.builder(MultibootImage.parse(name, ElfBuilder.multibootProgram(bytes)))
                .vcpuTimeoutMs(10_000);
    }

    // ---------------------------------------------------------------- point 2

    @Test
    void point2_aVcpuThreadKilledByAnErrorEndsTheMachineWithTheReason() throws Exception {
        AtomicInteger entries = new AtomicInteger();
        VcpuLoopPolicy dies = new VcpuLoopPolicy() {
            @Override
            public boolean mustWait(Vcpu v) {
                return !v.canRun();
            }

            @Override
            public StepResult enterGuest(Vcpu v) {
                // After the boot CPU has run a while: an AP may sit in KVM_RUN for good once started.
                if (v.index() == 1 && entries.incrementAndGet() == 1) {
                    throw new AssertionError("a defect in an exit handler");
                }
                return v.enterGuestOnce();
            }
        };
        TestGuests.Console console = new TestGuests.Console();
        try (RunningGuest g = RunningGuest.start(TestGuests.config("smp-work", "2", "report_ms=200", console)
                .loopPolicy(dies).build(), console)) {
            MachineExit exit = g.machine.awaitExit(30_000);
            assertNotNull(exit, "the machine never heard that vcpu-1 died");
            assertEquals(MachineExit.Kind.VMM_ERROR, exit.kind());
            assertTrue(exit.reason().startsWith("vcpu-1 failed: java.lang.AssertionError: a defect in an exit handler"),
                    exit.reason());
            assertEquals(MachineState.FAILED, g.machine.state());
        }
    }

    // ---------------------------------------------------------------- point 3

    private static long count(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }

    private static long mappings() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/maps")).size();
    }

    /** A registry that refuses the vCPU gauges, the last meters a machine registers, after every KVM object exists. */
    private static final class FailingRegistry extends SimpleMeterRegistry {
        @Override
        protected <T> Gauge newGauge(Meter.Id id, T obj, ToDoubleFunction<T> valueFunction) {
            if (id.getName().equals(io.jvmm.core.metrics.VmmMetrics.VCPUS)) {
                throw new IllegalStateException("registry full");
            }
            return super.newGauge(id, obj, valueFunction);
        }
    }

    @Test
    void point3_aMachineWhoseBuildFailsLateClosesEverythingItTook() throws Exception {
        MachineConfig config = TestGuests.config("smp-work", "4", "", new TestGuests.Console())
                .meterRegistry(new FailingRegistry()).build();
        // Once, to load every class and library the path needs.
        assertThrows(IllegalStateException.class, () -> Machine.create(config));
        long fds = count(Path.of("/proc/self/fd"));
        long maps = mappings();
        for (int i = 0; i < 20; i++) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Machine.create(config));
            assertEquals("registry full", e.getMessage());
        }
        assertEquals(fds, count(Path.of("/proc/self/fd")), "descriptors leaked by failed builds");
        assertTrue(mappings() <= maps + 4, "guest RAM or kvm_run mappings leaked: " + maps + " -> " + mappings());
    }

    // ---------------------------------------------------------------- point 4

    @Test
    void point4_postMortemReadsNeverRaceDestroyOntoAClosedDescriptor() throws Exception {
        for (int run = 0; run < 30; run++) {
            TestGuests.Console console = new TestGuests.Console();
            RunningGuest g = RunningGuest.start(TestGuests.config("hello", "2", "", console).build(), console);
            assertNotNull(g.machine.awaitExit(10_000));
            CompletableFuture<Integer> reader = CompletableFuture.supplyAsync(() -> {
                int reads = 0;
                while (true) {
                    try {
                        assertEquals(2, g.machine.readRegisters(RegisterRead.SNAPSHOT).size());
                        reads++;
                    } catch (InvalidStateException e) {
                        return reads; // destroyed: the one other answer allowed
                    }
                }
            });
            Thread.sleep(run % 5);
            g.machine.destroy();
            reader.get(30, TimeUnit.SECONDS);
        }
    }

    // ---------------------------------------------------------------- point 5

    @Test
    void point5_aVcpuStoppedJustAfterAPortReadShowsTheReadsResult() throws Exception {
        // mov dx, 0x99; in al, dx; mov dx, 0xf4; out dx, al; hlt
        MachineConfig.Builder b = program("point5", 0x66, 0xba, 0x99, 0x00, 0xec, 0x66, 0xba, 0xf4, 0x00, 0xee, 0xf4);
        Machine m = Machine.create(b.build());
        try {
            CompletableFuture<Void> stop = new CompletableFuture<>();
            m.pio().add(0x99, 1, "stops-the-machine", new BusDevice() {
                @Override
                public long read(long offset, int size, int cpu) {
                    // The operator's 'stop' lands while this read is being answered.
                    CompletableFuture.runAsync(m::pause).whenComplete((r, t) -> stop.complete(null));
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    while (m.state() != MachineState.PAUSED && System.nanoTime() < deadline) {
                        Thread.onSpinWait();
                    }
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
            m.start();
            stop.get(10, TimeUnit.SECONDS);
            VcpuSnapshot s = m.readRegisters(RegisterRead.cpu(0)).get(0);
            assertEquals(0x5a, s.regs().rax() & 0xff, "the in instruction must be complete when the vCPU is read");
            assertEquals(ENTRY + 5, s.regs().rip(), "RIP must be past the in instruction");
            m.resume();
            MachineExit exit = m.awaitExit(10_000);
            assertEquals(0x5a, exit.code());
        } finally {
            m.destroy();
        }
    }

    // ---------------------------------------------------------------- point 6

    @Test
    void point6_stopThenNmiThenInfoRegistersShowsTheNmi() throws Exception {
        TestGuests.Console console = new TestGuests.Console();
        try (RunningGuest g = RunningGuest.start(TestGuests.config("smp-work", "2", "report_ms=200", console).build(),
                console)) {
            g.awaitOutput(t -> t.contains("smp-work: 2 CPUs up"), 30_000, "bring-up");
            g.machine.pause();
            List<VcpuSnapshot> before = g.machine.readRegisters(RegisterRead.SNAPSHOT);
            assertFalse(before.get(0).events().nmi().pending());
            assertEquals(2, g.machine.injectNmi());
            List<VcpuSnapshot> after = g.machine.readRegisters(RegisterRead.SNAPSHOT);
            for (VcpuSnapshot s : after) {
                assertTrue(s.events().nmi().pending() || s.events().nmi().injected(),
                        "info registers after nmi must show it on cpu " + s.cpuIndex() + ": " + s.events());
            }
            g.machine.resume();
            g.awaitOutput(t -> t.contains("nmis 2"), 10_000, "the guest counting both NMIs");
        }
    }

    // ---------------------------------------------------------------- point 9

    private static long resetThreads(String id) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(id + "-reset")).count();
    }

    @Test
    void point9_aGuestResetStopsTheRequesterAtOnceAndRunsOnOneThread() throws Exception {
        // mov al, 6; mov dx, 0xcf9; out dx, al; mov al, 0x42; out 0x80, al; jmp $
        MachineConfig.Builder b = program("point9", 0xb0, 0x06, 0x66, 0xba, 0xf9, 0x0c, 0xee, 0xb0, 0x42, 0xe6, 0x80,
                0xeb, 0xfe).id("vm-point9");
        Machine m = Machine.create(b.build());
        try {
            m.start();
            // Every boot asks for a reset at once; let it go round many times.
            long deadline = System.currentTimeMillis() + 3000;
            while (System.currentTimeMillis() < deadline) {
                assertTrue(resetThreads("vm-point9") <= 1, "a thread per reset request");
                Thread.sleep(5);
            }
            assertTrue(m.state().isLive(), "resets must keep the machine alive: " + m.exitFuture());
            assertEquals(-1, m.bootNanos(), "the CPU that asked for the reset ran on past its request to the POST write");
        } finally {
            m.destroy();
        }
        assertEquals(0, resetThreads("vm-point9"), "the reset thread ends with the machine");
    }
}
