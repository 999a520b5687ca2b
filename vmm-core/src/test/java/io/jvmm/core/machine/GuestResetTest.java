package io.jvmm.core.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.core.testing.TestGuests;
import io.jvmm.kvm.testing.RequiresKvm;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Resets the guest asks for, through each of the PC's reset paths (the {@code reset-cycle} guest:
 * via=1 port 0x92, via=2 the i8042's 0xFE, via=3 port 0xCF9), on a running 4-CPU machine: every
 * CPU starts again from its power-on state with RAM kept, and the guest boots again and passes;
 * under {@code -no-reboot} the first reset ends the run instead, as does {@code system_reset}.
 */
@RequiresKvm
class GuestResetTest {
    private static final String[] PATHS = {"", "port 0x92", "the i8042 (0xfe to port 0x64)", "port 0xcf9"};

    @ParameterizedTest(name = "via={0}")
    @ValueSource(ints = {1, 2, 3})
    void eachResetPathRestartsEveryCpuAndTheGuestBootsAgain(int via) throws Exception {
        TestGuests.Console console = new TestGuests.Console();
        TestGuests.Result r = TestGuests.run(TestGuests.config("reset-cycle", "4", "via=" + via + " boots=3",
                console).build(), console, 60_000);
        assertNotNull(r.exit(), "reset-cycle did not finish; output so far:\n" + r.output());
        assertTrue(r.exit().passed(), r.exit().reason() + "\n" + r.output());
        for (int boot = 1; boot <= 3; boot++) {
            assertTrue(r.output().contains("reset-cycle: boot " + boot + " of 3, all 4 CPUs checked in\n"),
                    "boot " + boot + " missing:\n" + r.output());
        }
        assertEquals(2, count(r.output(), "resetting through " + PATHS[via] + "\n"), r.output());
        assertEquals(3, count(r.output(), "APs checked in (APIC IDs): 1 2 3\n"),
                "every AP checks in once per boot:\n" + r.output());
    }

    @ParameterizedTest(name = "via={0}")
    @ValueSource(ints = {1, 2, 3})
    void underNoRebootTheFirstResetEndsTheRun(int via) throws Exception {
        TestGuests.Console console = new TestGuests.Console();
        TestGuests.Result r = TestGuests.run(TestGuests.config("reset-cycle", "4", "via=" + via + " boots=3",
                console).noReboot(true).build(), console, 60_000);
        assertNotNull(r.exit(), "reset-cycle did not end; output so far:\n" + r.output());
        assertEquals(MachineExit.Kind.RESET, r.exit().kind(), r.exit().reason() + "\n" + r.output());
        assertTrue(r.exit().reason().contains("-no-reboot"), r.exit().reason());
        assertTrue(r.output().contains("boot 1 of 3"), r.output());
        assertFalse(r.output().contains("boot 2 of 3"), "the machine rebooted under -no-reboot:\n" + r.output());
    }

    @Test
    void systemResetUnderNoRebootEndsTheRunToo() throws Exception {
        TestGuests.Console console = new TestGuests.Console();
        try (Machine m = Machine.create(TestGuests.config("smp-work", "4", "", console).noReboot(true).build())) {
            m.start();
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!console.text().contains("CPUs up") && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            m.reset();
            MachineExit exit = m.awaitExit(10_000);
            assertNotNull(exit, "system_reset under -no-reboot did not end the run:\n" + console.text());
            assertEquals(MachineExit.Kind.RESET, exit.kind(), exit.reason());
            assertTrue(exit.reason().startsWith("system_reset requested a reset"), exit.reason());
            assertEquals(MachineState.SHUTDOWN, m.state());
        }
    }

    private static int count(String text, String what) {
        Matcher m = Pattern.compile(Pattern.quote(what)).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }
}
