package io.jvmm.core.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.core.lock.BigLock;
import io.jvmm.core.testing.HaltedVcpuSpinsControl;
import io.jvmm.core.testing.TestGuests;
import io.jvmm.core.vcpu.Vcpu;
import io.jvmm.core.vcpu.VcpuRunState;
import io.jvmm.kvm.testing.RequiresKvm;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Seed 000 on real KVM: secondary CPUs start powered off, the boot CPU does serial I/O (which
 * takes the Big Lock) and then starts each through the CPU power controller. With the standard
 * loop the powered-off vCPUs wait with the lock released; with control (b), the seed's loop, the
 * boot CPU stalls and the test names the thread that holds the lock.
 */
@RequiresKvm
class PoweredOffTest {
    @ParameterizedTest(name = "-smp {0} --start-powered-off")
    @ValueSource(strings = {"8", "32"})
    void poweredOffSecondariesStartOnRequestAndTheBootCpuNeverWaitsLong(String smp) throws Exception {
        TestGuests.Console console = new TestGuests.Console();
        MachineConfig config = TestGuests.config("powered-off", smp, "", console).secondariesPoweredOff(true).build();
        try (Machine m = Machine.create(config)) {
            m.start();
            MachineExit exit = m.awaitExit(60_000);
            assertNotNull(exit, "powered-off did not finish:\n" + console.text());
            assertEquals(0, exit.code(), exit.reason() + "\n" + console.text());
            assertTrue(console.text().contains("powered-off: PASS"), console.text());
            Vcpu boot = m.vcpus().get(0);
            long maxWaitUs = TimeUnit.NANOSECONDS.toMicros(boot.maxBqlWaitNanos());
            long worstOther = m.vcpus().stream().skip(1).mapToLong(Vcpu::maxBqlWaitNanos).max().orElse(0) / 1000;
            System.out.printf("powered-off -smp %s: boot CPU's longest BQL wait %d us (other vCPUs: %d us)%n", smp,
                    maxWaitUs, worstOther);
            // Not a speed target: a bound far above any legitimate wait, far below a stall.
            assertTrue(maxWaitUs < 2_000_000, "the boot CPU waited " + maxWaitUs + " us for the BQL");
        }
    }

    @Test
    void controlB_theSeedsLoopIsCaughtByTheSpinGuardNamingTheThread() throws Exception {
        TestGuests.Console console = new TestGuests.Console();
        HaltedVcpuSpinsControl control = new HaltedVcpuSpinsControl();
        MachineConfig config = TestGuests.config("powered-off", "8", "", console).secondariesPoweredOff(true)
                .loopPolicy(control).lockChecks(true).build();
        try (Machine m = Machine.create(config)) {
            m.start();
            MachineExit exit = m.awaitExit(30_000);
            assertNotNull(exit, "the spin guard should have ended the run");
            assertEquals(MachineExit.Kind.VMM_ERROR, exit.kind(), exit.reason());
            assertTrue(exit.reason().matches("vcpu-[1-7] failed: .*LockContractViolation: vcpu-[1-7] looped \\d+ "
                    + "times holding vm-0 BQL without entering the guest or waiting.*"), exit.reason());
            assertTrue(!console.text().contains("PASS"), console.text());
        } finally {
            control.disarm();
        }
    }

    @Test
    void controlB_withChecksOffTheBootCpuStallsAndTheHolderIsNamed() throws Exception {
        TestGuests.Console console = new TestGuests.Console();
        HaltedVcpuSpinsControl control = new HaltedVcpuSpinsControl();
        MachineConfig config = TestGuests.config("powered-off", "8", "", console).secondariesPoweredOff(true)
                .loopPolicy(control).lockChecks(false).build();
        try (Machine m = Machine.create(config)) {
            m.start();
            MachineExit exit = m.awaitExit(5_000);
            assertNull(exit, "with the seed's loop the guest must not finish; it did: " + exit);
            BigLock.Holder holder = m.bql().holder().orElseThrow(() -> new AssertionError("nobody holds the BQL"));
            assertTrue(holder.threadName().matches("vcpu-[1-7]"), "holder: " + holder);
            assertTrue(holder.heldNanos() > TimeUnit.SECONDS.toNanos(1), "holder: " + holder);
            Vcpu stuck = m.vcpus().stream().filter(v -> v.name().equals(holder.threadName())).findFirst().orElseThrow();
            assertEquals(VcpuRunState.POWERED_OFF, stuck.runState());
            assertTrue(!m.vcpus().get(0).inGuest(), "the boot CPU should be out of the guest, waiting for the BQL");
            System.out.println("control (b), checks off: stalled; BQL held by " + holder + "; boot CPU "
                    + m.vcpus().get(0).describe() + "; guest printed " + console.text().lines().count() + " lines");
            control.disarm();
        }
    }
}
