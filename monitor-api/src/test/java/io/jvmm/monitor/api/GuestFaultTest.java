package io.jvmm.monitor.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jvmm.guests.BundledGuests;
import io.jvmm.kvm.testing.RequiresKvm;
import io.jvmm.monitor.service.LaunchSpec;
import io.jvmm.monitor.service.ManagedVm;
import io.jvmm.monitor.service.VmService;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A guest that faults ends its own VM, with the reason in its status; the service and the other
 * VMs go on. The faulting guest is {@code hello} with {@code ud2} at its entry point: with no IDT
 * of its own yet, the #UD cannot be delivered and the CPU shuts down (or, where KVM emulates the
 * guest, KVM reports an emulation failure).
 */
@QuarkusTest
@RequiresKvm
class GuestFaultTest {
    @Inject
    VmService service;

    @TempDir
    Path dir;

    /** hello.elf with its first instruction replaced by ud2. */
    private Path faultingImage() throws Exception {
        byte[] b = BundledGuests.image("hello").orElseThrow();
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        long entry = bb.getInt(24) & 0xffffffffL;
        int phoff = bb.getInt(28);
        int phnum = bb.getShort(44);
        for (int i = 0; i < phnum; i++) {
            int p = phoff + 32 * i;
            long offset = bb.getInt(p + 4) & 0xffffffffL;
            long paddr = bb.getInt(p + 12) & 0xffffffffL;
            long filesz = bb.getInt(p + 16) & 0xffffffffL;
            if (bb.getInt(p) == 1 && entry >= paddr && entry < paddr + filesz) {
                int at = (int) (entry - paddr + offset);
                b[at] = 0x0f;
                b[at + 1] = 0x0b;
                Path out = dir.resolve("faulting-hello.elf");
                Files.write(out, b);
                return out;
            }
        }
        throw new AssertionError("hello's entry point is in no loadable segment");
    }

    @Test
    void aFaultingGuestEndsItsOwnVmWithAReasonAndTheOthersGoOn() throws Exception {
        String healthy = Api.create("smp-work", "2", "append", "report_ms=200");
        double faultsBefore = sample("jvmm_vm_ends_total{reason=\"guest_fault\"}");
        ManagedVm faulty = service.create(LaunchSpec.of(faultingImage().toString(), "2", "64M"),
                null, true);
        try {
            Api.awaitStatus(faulty.id(), "failed", 30_000);
            given().get("/vms/{id}", faulty.id()).then().statusCode(200).body("status", equalTo("failed"))
                    .body("running", equalTo(false)).body("exit.kind", equalTo("guest_fault"))
                    .body("exit.reason", matchesPattern("(triple fault \\(KVM_EXIT_SHUTDOWN\\)|KVM internal error) "
                            + "on vcpu-0.*"));
            assertEquals("VM status: paused (internal-error)\n", Api.hmp(faulty.id(), "info status"));
            // the registers of the dead VM can still be read, post mortem
            // Layout only: after a triple fault, KVM on AMD (SVM) reinitializes the vCPU's state.
            MonitorCommandsTest.assertQemuLayout(Api.hmp(faulty.id(), "info registers"), 0);
            int ticks = Api.count(Api.console(healthy), "smp-work: tick");
            Api.awaitConsole(healthy, "smp-work: tick", ticks + 2, 10_000);
            assertEquals("VM status: running\n", Api.hmp(healthy, "info status"));
            given().get("/q/health/ready").then().statusCode(200);
            // Counted for the alert rules: one more VM ended by guest fault; the VM's state series says failed.
            long deadline = System.currentTimeMillis() + 10_000;
            while (sample("jvmm_vm_ends_total{reason=\"guest_fault\"}") < faultsBefore + 1
                    && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(faultsBefore + 1, sample("jvmm_vm_ends_total{reason=\"guest_fault\"}"));
            assertEquals(1.0, sample("jvmm_vm_state{state=\"failed\",vm=\"" + faulty.label() + "\"}"));
        } finally {
            service.destroy(faulty.id());
            Api.destroy(healthy);
        }
    }

    /** The value of one series in the service's scrape, given as exported: name, then labels in name order. */
    private static double sample(String series) {
        for (String line : given().get("/q/metrics").then().statusCode(200).extract().asString().split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }
        throw new AssertionError("no series " + series + " in /q/metrics");
    }
}
