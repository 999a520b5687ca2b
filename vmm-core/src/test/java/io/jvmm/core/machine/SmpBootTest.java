package io.jvmm.core.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.core.testing.Qemu;
import io.jvmm.core.testing.RequiresQemu;
import io.jvmm.core.testing.TestGuests;
import io.jvmm.kvm.testing.RequiresKvm;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SMP bring-up through INIT/SIPI on real KVM for every topology in seed 000's test list: the
 * guest reads the CPU count from fw_cfg, checks the MADT, wakes the APs the way SeaBIOS's
 * smp_scan does, and checks each AP's APIC ID against what the topology implies.
 */
@RequiresKvm
class SmpBootTest {
    static final String[] SEED_000_TOPOLOGIES = {"1", "2", "4", "32",
        "8,sockets=8,cores=1,threads=1", "8,sockets=1,cores=8,threads=1", "8,sockets=1,cores=1,threads=8",
        "8,sockets=2,cores=4,threads=1", "8,sockets=1,cores=4,threads=2", "8,sockets=2,cores=1,threads=4",
        "8,sockets=2,cores=2,threads=2", "16,sockets=2,cores=4,threads=2", "32,sockets=1,cores=8,threads=4"};

    /** The APs' APIC IDs, sorted, as the guest prints them. */
    static String expectedApicIds(SmpTopology t) {
        List<Integer> ids = new ArrayList<>();
        for (int i = 1; i < t.cpus(); i++) {
            ids.add(t.apicId(i));
        }
        return ids.stream().sorted().map(String::valueOf).collect(Collectors.joining(" "));
    }

    @ParameterizedTest(name = "-smp {0}")
    @ValueSource(strings = {"1", "2", "4", "32", "8", "8,sockets=8,cores=1,threads=1", "8,sockets=1,cores=8,threads=1",
        "8,sockets=1,cores=1,threads=8", "8,sockets=2,cores=4,threads=1", "8,sockets=1,cores=4,threads=2",
        "8,sockets=2,cores=1,threads=4", "8,sockets=2,cores=2,threads=2", "16,sockets=2,cores=4,threads=2",
        "32,sockets=1,cores=8,threads=4", "12,sockets=2,cores=3,threads=2"})
    void smpBootPasses(String smp) throws Exception {
        SmpTopology t = SmpTopology.parse(smp);
        TestGuests.Console console = new TestGuests.Console();
        long t0 = System.nanoTime();
        TestGuests.Result r = TestGuests.run(TestGuests.config("smp-boot", smp, "", console).build(), console, 60_000);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertNotNull(r.exit(), "smp-boot did not finish within 60 s:\n" + r.output());
        assertEquals(MachineExit.Kind.GUEST_EXIT, r.exit().kind(), r.exit().reason() + "\n" + r.output());
        assertEquals(0, r.exit().code(), r.output());
        assertTrue(r.output().contains("smp-boot: PASS"), r.output());
        if (t.cpus() > 1) {
            assertTrue(r.output().contains("smp-boot: APs checked in (APIC IDs): " + expectedApicIds(t) + "\n"),
                    "expected APIC IDs " + expectedApicIds(t) + "\n" + r.output());
        }
        System.out.printf("smp-boot -smp %s: PASS in %d ms%n", smp, ms);
    }

    /** QEMU boots through SeaBIOS, about 3.5 s per run here, so a representative subset is compared. */
    @ParameterizedTest(name = "-smp {0} under QEMU")
    @ValueSource(strings = {"1", "2", "4", "8", "8,sockets=2,cores=2,threads=2", "8,sockets=1,cores=1,threads=8",
        "8,sockets=2,cores=4,threads=1", "16,sockets=2,cores=4,threads=2", "32", "32,sockets=1,cores=8,threads=4"})
    @RequiresQemu
    void smpBootOutputEqualsQemus(String smp) throws Exception {
        TestGuests.Console console = new TestGuests.Console();
        TestGuests.Result ours = TestGuests.run(TestGuests.config("smp-boot", smp, "", console).build(), console,
                60_000);
        Qemu.Result qemu = Qemu.run("smp-boot", smp, "64M", "", 240);
        assertFalse(qemu.timedOut(), "QEMU did not finish -smp " + smp + ":\n" + qemu.output());
        assertNotNull(ours.exit());
        assertEquals(qemu.output(), ours.output(), "output differs from QEMU's for -smp " + smp);
        assertEquals(qemu.guestValue(), ours.exit().code());
        System.out.printf("smp-boot -smp %s: same output as QEMU (QEMU took %d ms)%n", smp, qemu.millis());
    }

    @org.junit.jupiter.api.Test
    void nonPowerOfTwoTopologiesLeaveGapsInTheApicIds() throws Exception {
        SmpTopology t = SmpTopology.parse("12,sockets=2,cores=3,threads=2");
        assertEquals("1 2 3 4 5 8 9 10 11 12 13", expectedApicIds(t));
    }
}
