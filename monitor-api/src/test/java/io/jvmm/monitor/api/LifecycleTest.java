package io.jvmm.monitor.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.kvm.testing.RequiresKvm;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The typed lifecycle over REST: create paused, pause, resume, reset, powerdown, nmi, destroy;
 * each transition where it is allowed, and a 409 naming the state where it is not.
 */
@QuarkusTest
class LifecycleTest {
    private static void await(String what, java.util.function.Supplier<String> value, Predicate<String> ok)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        String v = value.get();
        while (!ok.test(v) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            v = value.get();
        }
        assertTrue(ok.test(v), what + ": " + v);
    }

    private static void action(String id, String action, int status) {
        given().post("/vms/{id}/" + action, id).then().statusCode(status);
    }

    @Test
    void anUnknownVmIs404ForEveryAction() {
        for (String a : new String[] {"pause", "resume", "reset", "powerdown", "nmi"}) {
            given().post("/vms/nope/" + a).then().statusCode(404).body("error.desc", containsString("No VM 'nope'"));
        }
    }

    @Test
    @RequiresKvm
    void createdPausedItRunsNothingUntilResumedThenPausesResumesAndResets() throws Exception {
        String id = Api.create("smp-work", "2", "paused", true, "append", "report_ms=200");
        try {
            assertEquals("paused", Api.status(id));
            Thread.sleep(500);
            assertEquals("", Api.console(id), "a VM created paused runs no guest instruction");
            action(id, "resume", 204);
            await("running and reporting", () -> Api.status(id) + " " + Api.console(id),
                    s -> s.startsWith("running") && s.contains("tick 1"));
            action(id, "pause", 204);
            assertEquals("paused", Api.status(id));
            action(id, "pause", 204); // already paused: nothing to do
            int before = Api.console(id).length();
            Thread.sleep(500);
            assertEquals(before, Api.console(id).length(), "a paused guest prints nothing");
            action(id, "resume", 204);
            assertEquals("running", Api.status(id));
            action(id, "nmi", 204);
            action(id, "reset", 204);
            await("booted again after the reset", () -> Api.console(id),
                    c -> c.indexOf("CPUs up") != c.lastIndexOf("CPUs up"));
        } finally {
            given().delete("/vms/{id}", id).then().statusCode(204);
        }
        action(id, "pause", 404);
    }

    @Test
    @RequiresKvm
    void powerdownPressesThePowerButtonAndTheGuestEntersS5() throws Exception {
        String id = Api.create("powerdown", "1");
        try {
            await("waiting for the button", () -> Api.console(id), c -> c.contains("waiting for the power button"));
            action(id, "powerdown", 204);
            await("powered off", () -> Api.status(id), "shutdown"::equals);
            given().get("/vms/{id}", id).then().body("exit.kind", equalTo("power_off"))
                    .body("exit.reason", containsString("requested ACPI power-off (S5)"));
            assertTrue(Api.console(id).contains("power button pressed; entering S5"), Api.console(id));
            for (String a : new String[] {"pause", "resume", "reset", "powerdown", "nmi"}) {
                given().post("/vms/{id}/" + a, id).then().statusCode(409).body("error.class", equalTo("InvalidState"))
                        .body("error.desc", containsString("a VM that is shutdown"))
                        .body("error.desc", containsString("allowed when the VM is"));
            }
        } finally {
            given().delete("/vms/{id}", id).then().statusCode(204);
        }
    }

    @Test
    @RequiresKvm
    void systemPowerdownThroughHmpGoesTheSameWay() throws Exception {
        String id = Api.create("powerdown", "1");
        try {
            await("waiting for the button", () -> Api.console(id), c -> c.contains("waiting for the power button"));
            given().contentType(ContentType.JSON).body("{\"command-line\": \"system_powerdown\"}")
                    .post("/vms/{id}/hmp", id).then().statusCode(200).body("return", equalTo(""));
            await("powered off", () -> Api.status(id), "shutdown"::equals);
        } finally {
            given().delete("/vms/{id}", id).then().statusCode(204);
        }
    }
}
