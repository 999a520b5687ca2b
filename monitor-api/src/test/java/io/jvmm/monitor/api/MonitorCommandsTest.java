package io.jvmm.monitor.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.kvm.testing.RequiresKvm;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every HMP command and JSON twin against real VMs running real guests on a real Quarkus server. */
@QuarkusTest
@RequiresKvm
class MonitorCommandsTest {
    /** The lines of one QEMU x86 register dump in 32-bit mode, as field-name patterns. */
    private static final List<Pattern> DUMP_32 = List.of(
            Pattern.compile("^$"),
            Pattern.compile("^CPU#\\d+$"),
            Pattern.compile("^EAX=[0-9a-f]{8} EBX=[0-9a-f]{8} ECX=[0-9a-f]{8} EDX=[0-9a-f]{8}$"),
            Pattern.compile("^ESI=[0-9a-f]{8} EDI=[0-9a-f]{8} EBP=[0-9a-f]{8} ESP=[0-9a-f]{8}$"),
            Pattern.compile("^EIP=[0-9a-f]{8} EFL=[0-9a-f]{8} \\[[-O][-D][-S][-Z][-A][-P][-C]\\] CPL=\\d II=\\d A20=1 "
                    + "SMM=\\d HLT=\\d$"),
            Pattern.compile("^ES =[0-9a-f]{4} [0-9a-f]{8} [0-9a-f]{8} [0-9a-f]{8}( DPL=\\d .*)?$"),
            Pattern.compile("^CS =[0-9a-f]{4} [0-9a-f]{8} [0-9a-f]{8} [0-9a-f]{8}( DPL=\\d CS(16|32) \\[.*)?$"),
            Pattern.compile("^SS =.*$"), Pattern.compile("^DS =.*$"), Pattern.compile("^FS =.*$"),
            Pattern.compile("^GS =.*$"), Pattern.compile("^LDT=.*$"), Pattern.compile("^TR =.*$"),
            Pattern.compile("^GDT=     [0-9a-f]{8} [0-9a-f]{8}$"),
            Pattern.compile("^IDT=     [0-9a-f]{8} [0-9a-f]{8}$"),
            Pattern.compile("^CR0=[0-9a-f]{8} CR2=[0-9a-f]{8} CR3=[0-9a-f]{8} CR4=[0-9a-f]{8}$"),
            Pattern.compile("^DR0=[0-9a-f]{16} DR1=[0-9a-f]{16} DR2=[0-9a-f]{16} DR3=[0-9a-f]{16} $"),
            Pattern.compile("^DR6=[0-9a-f]{16} DR7=[0-9a-f]{16}$"),
            Pattern.compile("^EFER=[0-9a-f]{16}$"),
            Pattern.compile("^FCW=[0-9a-f]{4} FSW=[0-9a-f]{4} \\[ST=\\d\\] FTW=[0-9a-f]{2} MXCSR=[0-9a-f]{8}$"));

    /** {@code block} is QEMU's 32-bit layout for CPU {@code cpu}, whatever the register values. */
    static void assertQemuLayout(String block, int cpu) {
        List<String> lines = block.lines().toList();
        assertTrue(lines.size() >= DUMP_32.size() + 8, block);
        for (int i = 0; i < DUMP_32.size(); i++) {
            assertTrue(DUMP_32.get(i).matcher(lines.get(i)).matches(), "line " + i + " '" + lines.get(i)
                    + "' does not match " + DUMP_32.get(i));
        }
        assertEquals("CPU#" + cpu, lines.get(1));
    }

    /** As {@link #assertQemuLayout}, for a CPU running a bundled guest in flat 32-bit protected mode. */
    static void assertQemuDump(String block, int cpu) {
        assertQemuLayout(block, cpu);
        assertTrue(block.contains("CS =0008 00000000 ffffffff 00c09b00 DPL=0 CS32 [-RA]"), block);
        // The TR KVM sets at reset: a busy 32-bit TSS with VMX and PVM, a busy 16-bit one with SVM.
        assertTrue(block.contains("TR =0000 00000000 0000ffff 00008b00 DPL=0 TSS32-busy")
                || block.contains("TR =0000 00000000 0000ffff 00008300 DPL=0 TSS16-busy"), block);
        assertTrue(block.contains("FCW=037f FSW=0000 [ST=0] FTW=00 MXCSR=00001f80"), "x87/SSE reset state: " + block);
    }

    @ParameterizedTest(name = "info registers -a on {0} vCPUs")
    @ValueSource(strings = {"1", "4", "8"})
    void infoRegistersAllShowsEveryCpuInQemusLayout(String smp) throws Exception {
        String id = Api.create("smp-work", smp, "append", "report_ms=200");
        try {
            int n = Integer.parseInt(smp);
            Api.awaitConsole(id, "CPUs up", 1, 30_000);
            for (String command : List.of("info registers -a", "info registers -a --snapshot",
                    "info registers --snapshot -a")) {
                String dump = Api.hmp(id, command);
                String[] blocks = dump.split("(?=\nCPU#)");
                assertEquals(n, blocks.length, command + ":\n" + dump);
                for (int i = 0; i < n; i++) {
                    assertQemuDump(blocks[i], i);
                }
            }
            Api.awaitConsole(id, "smp-work: tick", 2, 10_000);
        } finally {
            Api.destroy(id);
        }
    }

    @Test
    void infoRegistersShowsTheCurrentCpuOrTheOneNamed() throws Exception {
        String id = Api.create("smp-work", "4");
        try {
            Api.awaitConsole(id, "CPUs up", 1, 30_000);
            assertQemuDump(Api.hmp(id, "info registers"), 0);
            assertQemuDump(Api.hmp(id, "info registers 2"), 2);
            assertEquals("", Api.hmp(id, "cpu 3"));
            assertQemuDump(Api.hmp(id, "info registers"), 3);
            String cpus = Api.hmp(id, "info cpus");
            assertTrue(cpus.matches("(?s)  CPU #0: thread_id=\\d+\n  CPU #1: thread_id=\\d+\n  CPU #2: thread_id=\\d+\n"
                    + "\\* CPU #3: thread_id=\\d+\n"), cpus);
        } finally {
            Api.destroy(id);
        }
    }

    @Test
    void statusKvmSyncProfileAndHelp() throws Exception {
        String id = Api.create("smp-work", "2");
        try {
            assertEquals("VM status: running\n", Api.hmp(id, "info status"));
            assertEquals("kvm support: enabled\n", Api.hmp(id, "info kvm"));
            Api.awaitConsole(id, "CPUs up", 1, 30_000);
            String profile = Api.hmp(id, "info sync-profile");
            assertTrue(profile.startsWith("Type   Object   Call site"), profile);
            assertTrue(Pattern.compile("(?m)^BQL +" + id + " +vcpu/vcpu-exit +[0-9.]+ +[1-9]\\d*").matcher(profile)
                    .find(), profile);
            String help = Api.hmp(id, "help");
            for (String c : List.of("info registers", "info cpus", "info status", "info kvm", "info sync-profile",
                    "stop", "cont", "system_reset", "nmi", "quit", "help")) {
                assertTrue(help.contains(c), c + " missing from help:\n" + help);
            }
            assertTrue(Api.hmp(id, "help stop").startsWith("stop "), Api.hmp(id, "help stop"));
        } finally {
            Api.destroy(id);
        }
    }

    @Test
    void stopAndContRoundTrip() throws Exception {
        String id = Api.create("smp-work", "4", "append", "report_ms=200");
        try {
            Api.awaitConsole(id, "smp-work: tick", 1, 30_000);
            for (int round = 0; round < 3; round++) {
                assertEquals("", Api.hmp(id, "stop"));
                assertEquals("VM status: paused\n", Api.hmp(id, "info status"));
                given().get("/vms/{id}/cpus", id).then().statusCode(200).body("state", org.hamcrest.Matchers.everyItem(equalTo("paused")));
                int ticks = Api.count(Api.console(id), "smp-work: tick");
                Thread.sleep(700);
                assertEquals(ticks, Api.count(Api.console(id), "smp-work: tick"), "a stopped VM printed");
                assertEquals("", Api.hmp(id, "c"));
                assertEquals("VM status: running\n", Api.hmp(id, "info status"));
                Api.awaitConsole(id, "smp-work: tick", ticks + 2, 10_000);
            }
        } finally {
            Api.destroy(id);
        }
    }

    @Test
    void systemResetRunsTheGuestAgainToSuccess() throws Exception {
        // Long enough that the reset lands before the guest's own end on a slow host (nested KVM
        // took longer than 3 s to show two ticks, and the VM had ended: a correct 409).
        String id = Api.create("smp-work", "4", "append", "seconds=8 report_ms=200");
        try {
            Api.awaitConsole(id, "smp-work: tick", 2, 30_000);
            assertEquals("", Api.hmp(id, "system_reset"));
            Api.awaitConsole(id, "smp-work: 4 CPUs up", 2, 30_000);
            Api.awaitStatus(id, "shutdown", 60_000);
            given().get("/vms/{id}", id).then().statusCode(200).body("exit.kind", equalTo("guest_exit"))
                    .body("exit.code", equalTo(0));
            assertTrue(Api.console(id).contains("smp-work: done"));
        } finally {
            Api.destroy(id);
        }
    }

    @Test
    void nmiReachesEveryCpuAndTheGuestCarriesOn() throws Exception {
        String id = Api.create("smp-work", "4", "append", "report_ms=200");
        try {
            Api.awaitConsole(id, "smp-work: tick", 1, 30_000);
            assertEquals("", Api.hmp(id, "nmi"));
            Api.awaitConsole(id, "nmis 4", 1, 10_000);
            assertEquals("VM status: running\n", Api.hmp(id, "info status"));
        } finally {
            Api.destroy(id);
        }
    }

    @Test
    void poweredOffAndSmpBootGuestsPassWhenCreatedOverRest() throws Exception {
        String a = Api.create("powered-off", "8", "start-powered-off", true);
        String b = Api.create("smp-boot", "8,sockets=2,cores=2,threads=2");
        try {
            for (String id : List.of(a, b)) {
                Api.awaitStatus(id, "shutdown", 60_000);
                given().get("/vms/{id}", id).then().body("exit.kind", equalTo("guest_exit")).body("exit.code",
                        equalTo(0));
                assertTrue(Api.console(id).contains(": PASS"), Api.console(id));
                // a post-mortem register read still works after the guest ended
                assertQemuDump(Api.hmp(id, "info registers"), 0);
            }
        } finally {
            Api.destroy(a);
            Api.destroy(b);
        }
    }

    @Test
    void jsonTwinsForStatusCpusAndRegisters() throws Exception {
        String id = Api.create("smp-work", "4,sockets=1,cores=2,threads=2", "memory", "32M");
        try {
            Api.awaitConsole(id, "CPUs up", 1, 30_000);
            given().get("/vms/{id}", id).then().statusCode(200).body("id", equalTo(id)).body("guest", equalTo("smp-work"))
                    .body("status", equalTo("running")).body("cpus", equalTo(4)).body("memory", equalTo(32 << 20))
                    .body("smp", equalTo("4,sockets=1,cores=2,threads=2,maxcpus=4"));
            given().get("/vms/{id}/cpus", id).then().statusCode(200).body("$", hasSize(4))
                    .body("apic-id", equalTo(List.of(0, 1, 2, 3))).body("cpu", equalTo(List.of(0, 1, 2, 3)));
            given().get("/vms/{id}/cpus/3/registers", id).then().statusCode(200).body("cpu", equalTo(3))
                    .body("apic-id", equalTo(3)).body("mode", equalTo("protected"))
                    .body("segments.cs.selector", equalTo(8));
            // the boot CPU entered through Multiboot with CR0 = PE|ET; the APs keep INIT's CD|NW
            given().get("/vms/{id}/cpus/0/registers", id).then().statusCode(200).body("control.cr0", equalTo("0x11"))
                    .body("mp-state", equalTo("runnable"));
            given().get("/vms").then().statusCode(200).body("vms.id", org.hamcrest.Matchers.hasItem(id));
        } finally {
            Api.destroy(id);
        }
    }

    @Test
    void quitEndsTheVmAndTheServiceGoesOn() throws Exception {
        String id = Api.create("smp-work", "2");
        String other = Api.create("smp-work", "2");
        try {
            assertEquals("", Api.hmp(id, "quit"));
            given().get("/vms/{id}", id).then().statusCode(404).body("error.desc",
                    equalTo("VM '" + id + "' was destroyed; list the VMs with GET /vms"));
            assertEquals("VM status: running\n", Api.hmp(other, "info status"));
        } finally {
            Api.destroy(other);
        }
    }
}
