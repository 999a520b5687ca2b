package io.jvmm.monitor.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.kvm.testing.RequiresKvm;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/**
 * Named VMs: a name is a DNS label, unique in the service (also under concurrent requests), found
 * as well as the id, and the {@code vm} label of the VM's metrics, with a {@code jvmm_vm_info}
 * series that ties name and id together.
 */
@QuarkusTest
class NamedVmTest {
    private static void post(String body, int status, String descPart) {
        given().contentType(ContentType.JSON).body(body).post("/vms").then().statusCode(status)
                .body("error.desc", containsString(descPart));
    }

    @Test
    void namesThatAreNotDnsLabelsOrLookLikeIdsAreRefused() {
        post("{\"name\": \"Web_1\", \"guest\": \"hello\"}", 400, "Invalid name 'Web_1': a name is a DNS label");
        post("{\"name\": \"-web\", \"guest\": \"hello\"}", 400, "Invalid name '-web'");
        post("{\"name\": \"vm-3\", \"guest\": \"hello\"}", 400, "not of the form vm-N");
        post("{\"name\": \"" + "a".repeat(64) + "\", \"guest\": \"hello\"}", 400, "1-63");
    }

    @Test
    @RequiresKvm
    void aNamedVmIsFoundByNameAndLabelsItsMetricsWithIt() {
        String id = given().contentType(ContentType.JSON).body("{\"name\": \"web-1\", \"guest\": \"smp-work\", "
                + "\"smp\": \"2\"}").post("/vms").then().statusCode(201).extract().path("id");
        try {
            given().get("/vms/web-1").then().statusCode(200).body("id", equalTo(id)).body("name", equalTo("web-1"));
            given().get("/vms/{id}", id).then().statusCode(200).body("name", equalTo("web-1"));
            post("{\"name\": \"web-1\", \"guest\": \"hello\"}", 409, "A VM named 'web-1' exists already (" + id + ")");
            String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
            assertTrue(metrics.contains("jvmm_vm_info{") && metrics.contains("id=\"" + id + "\"")
                    && metrics.contains("name=\"web-1\""), "no jvmm_vm_info for web-1");
            assertTrue(metrics.contains("jvmm_bql_acquisitions_total{") && metrics.contains("vm=\"web-1\""),
                    "the lock metrics carry the name as their vm label");
            given().contentType(ContentType.JSON).body("{\"command-line\": \"info status\"}").post("/vms/web-1/hmp")
                    .then().statusCode(200);
        } finally {
            given().delete("/vms/web-1").then().statusCode(204);
        }
        given().get("/vms/web-1").then().statusCode(404).body("error.desc", containsString("was destroyed"));
        String metrics = given().get("/q/metrics").then().extract().asString();
        assertFalse(metrics.contains("name=\"web-1\""), "jvmm_vm_info of a destroyed VM is gone");
        // The name is free again.
        given().contentType(ContentType.JSON).body("{\"name\": \"web-1\", \"guest\": \"hello\"}").post("/vms").then()
                .statusCode(201);
        given().delete("/vms/web-1").then().statusCode(204);
    }

    @Test
    @RequiresKvm
    void oneNameIsTakenOnceUnderConcurrentRequests() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<CompletableFuture<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                answers.add(CompletableFuture.supplyAsync(() -> given().contentType(ContentType.JSON)
                        .body("{\"name\": \"race\", \"guest\": \"hello\"}").post("/vms").statusCode(), pool));
            }
            long created = answers.stream().map(CompletableFuture::join).filter(s -> s == 201).count();
            long refused = answers.stream().map(CompletableFuture::join).filter(s -> s == 409).count();
            assertTrue(created == 1 && refused == 7, created + " created, " + refused + " refused");
        } finally {
            pool.shutdownNow();
            given().delete("/vms/race").then().statusCode(204);
        }
    }
}
