package io.jvmm.monitor.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import io.jvmm.kvm.testing.RequiresKvm;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Bad input to the service: each is a 4xx whose message says what was wrong and what is valid,
 * never a 5xx, and the VM it was aimed at runs on undisturbed.
 */
@QuarkusTest
@RequiresKvm
class BadInputTest {
    private String id;

    @BeforeEach
    void create() throws Exception {
        id = Api.create("smp-work", "2", "append", "report_ms=200");
        Api.awaitConsole(id, "smp-work: tick", 1, 30_000);
    }

    @AfterEach
    void checkUndisturbedAndDestroy() throws Exception {
        int ticks = Api.count(Api.console(id), "smp-work: tick");
        Api.awaitConsole(id, "smp-work: tick", ticks + 1, 10_000);
        given().get("/vms/{id}", id).then().statusCode(200).body("status", equalTo("running"));
        Api.destroy(id);
    }

    private void hmpError(String line, int status, String errorClass, String desc) {
        Api.hmpResponse(id, line).then().statusCode(status).body("error.class", equalTo(errorClass))
                .body("error.desc", equalTo(desc));
    }

    @Test
    void unknownCommandsAndWrongArguments() {
        hmpError("inof registers", 400, "CommandNotFound",
                "Unknown command 'inof'; valid commands: info, cpu, stop, cont, system_reset, system_powerdown, nmi, quit, help (try 'help')");
        hmpError("info regs", 400, "CommandNotFound",
                "Unknown 'info' subcommand 'regs'; valid: registers, cpus, status, kvm, sync-profile");
        hmpError("info", 400, "GenericError",
                "'info' needs a subcommand: registers, cpus, status, kvm or sync-profile");
        hmpError("info registers -x", 400, "GenericError",
                "'info registers' takes '-a' (with '--snapshot' for every CPU at one instant), a CPU index or nothing; got '-x'");
        hmpError("info registers 9", 400, "GenericError", "CPU index 9 is out of range; this VM has CPUs 0-1");
        hmpError("cpu two", 400, "GenericError", "'cpu' takes a CPU index (0, 1, ...); got 'two'");
        hmpError("stop now", 400, "GenericError", "'stop' takes no arguments; got 'now'");
        hmpError("   ", 400, "GenericError",
                "Empty command line; valid commands: info, cpu, stop, cont, system_reset, system_powerdown, nmi, quit, help (try 'help')");
        hmpError("help bogus", 400, "CommandNotFound", "No command 'bogus'; try 'help'");
    }

    @Test
    void malformedBodies() {
        given().contentType(ContentType.JSON).body("{\"command-line\":").post("/vms/{id}/hmp", id).then()
                .statusCode(400).body("error.desc", startsWith("Malformed JSON body: "));
        given().contentType(ContentType.JSON).body("{\"command-lin\": \"info status\"}").post("/vms/{id}/hmp", id)
                .then().statusCode(400).body("error.desc",
                        equalTo("Unknown field 'command-lin' in the JSON body; valid fields: command-line"));
        given().contentType(ContentType.JSON).body("{}").post("/vms/{id}/hmp", id).then().statusCode(400)
                .body("error.desc", equalTo("The body must be {\"command-line\": \"...\"}, e.g. "
                        + "{\"command-line\": \"info registers -a\"}"));
        given().contentType(ContentType.JSON).body("[1,2]").post("/vms/{id}/hmp", id).then().statusCode(400)
                .body("error.class", equalTo("GenericError"));
        given().contentType(ContentType.TEXT).body("info status").post("/vms/{id}/hmp", id).then().statusCode(415)
                .body("error.desc", equalTo("The body must be JSON (Content-Type: application/json)"));
        given().contentType(ContentType.JSON).body("{\"command-line\": \"" + "x".repeat(70_000) + "\"}")
                .post("/vms/{id}/hmp", id).then().statusCode(413);
    }

    @Test
    void unknownAndDestroyedVms() {
        given().contentType(ContentType.JSON).body("{\"command-line\": \"info registers\"}").post("/vms/nope/hmp")
                .then().statusCode(404).body("error.class", equalTo("NotFound"))
                .body("error.desc", startsWith("No VM 'nope'; VMs: "));
        String gone = Api.create("hello", "1");
        Api.destroy(gone);
        given().contentType(ContentType.JSON).body("{\"command-line\": \"info registers\"}")
                .post("/vms/{id}/hmp", gone).then().statusCode(404)
                .body("error.desc", equalTo("VM '" + gone + "' was destroyed; list the VMs with GET /vms"));
        given().get("/vms/{id}/cpus/0/registers", gone).then().statusCode(404);
        given().delete("/vms/{id}", gone).then().statusCode(404);
        given().get("/nothing/here").then().statusCode(404)
                .body("error.desc", equalTo("No such endpoint: /nothing/here; the API is described at /q/openapi"));
        given().get("/vms/{id}/cpus/7/registers", id).then().statusCode(400)
                .body("error.desc", equalTo("CPU '7' does not exist; this VM has CPUs 0-1"));
    }

    @Test
    void badCreateRequests() {
        post("{\"guest\": \"smp-work\", \"smp\": \"8,sockets=3\"}", 400,
                "Invalid -smp '8,sockets=3': sockets (3) * cores (2) * threads (1) = 6 must equal maxcpus (8)");
        post("{\"guest\": \"smp-work\", \"memory\": \"lots\"}", 400,
                "Invalid -m 'lots': expected a size such as 64M, 512M or 2G");
        post("{\"guest\": \"/etc/passwd\"}", 400, "Unknown guest '/etc/passwd'; the service runs bundled guests: "
                + String.join(", ", io.jvmm.guests.BundledGuests.names()));
        post("{\"smp\": \"2\"}", 400, "\"guest\" or \"kernel\" is required: a bundled guest, e.g. {\"guest\": "
                + "\"smp-work\"}, or a kernel file in the image directory, e.g. {\"kernel\": \"vmlinux\"}");
        post("{\"guest\": \"smp-work\", \"cpus\": 4}", 400, "Unknown field 'cpus' in the JSON body; valid fields: "
                + "append, cpu, guest, initrd, kernel, memory, name, no-reboot, paused, smp, start-powered-off");
        given().contentType(ContentType.JSON).body("{\"guest\": \"smp-work\", \"cpu\": \"host,+cx17\"}").post("/vms")
                .then().statusCode(400).body("error.desc", startsWith("Invalid -cpu host,+cx17: unknown feature 'cx17'"));
        given().contentType(ContentType.JSON).body("{\"guest\": 5, \"smp\": [1]}").post("/vms").then().statusCode(400)
                .body("error.desc", startsWith("Field 'smp' has the wrong type"));
    }

    private static void post(String body, int status, String desc) {
        given().contentType(ContentType.JSON).body(body).post("/vms").then().statusCode(status)
                .body("error.desc", equalTo(desc));
    }

    @Test
    void commandsNotAllowedInTheVmsState() throws Exception {
        String done = Api.create("hello", "1");
        Api.awaitStatus(done, "shutdown", 30_000);
        Api.hmpResponse(done, "cont").then().statusCode(409).body("error.class", equalTo("InvalidState"))
                .body("error.desc", equalTo("Cannot cont a VM that is shutdown; cont is allowed when the VM is "
                        + "running or paused or resetting"));
        Api.hmpResponse(done, "system_reset").then().statusCode(409);
        Api.hmpResponse(done, "nmi").then().statusCode(409);
        Api.hmpResponse(done, "info status").then().statusCode(200).body("return",
                equalTo("VM status: paused (shutdown)\n"));
        Api.destroy(done);
    }
}
