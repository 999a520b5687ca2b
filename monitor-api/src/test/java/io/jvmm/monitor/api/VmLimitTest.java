package io.jvmm.monitor.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.kvm.testing.RequiresKvm;
import io.jvmm.monitor.service.ManagedVm;
import io.jvmm.monitor.service.VmService;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Point 7 of the hardening issue, as a new user found it: 80 parallel {@code POST /vms} against a
 * service whose limit is 64 created 80 VMs, because the check and the insert were separate steps.
 * Now exactly the limit is created and the rest are 409s with a message.
 */
@QuarkusTest
@RequiresKvm
class VmLimitTest {
    @Inject
    VmService service;

    @ConfigProperty(name = "jvmm.max-vms")
    int maxVms;

    @Test
    void parallelCreatesNeverExceedTheVmLimit() throws Exception {
        for (ManagedVm vm : service.list()) {
            service.destroy(vm.id());
        }
        int requests = maxVms + 16;
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(requests);
        List<Future<Response>> answers = new ArrayList<>();
        try {
            for (int i = 0; i < requests; i++) {
                answers.add(pool.submit(() -> {
                    go.await();
                    return given().contentType(ContentType.JSON).body(Map.of("guest", "hello", "smp", "1"))
                            .post("/vms");
                }));
            }
            go.countDown();
            int created = 0;
            int refused = 0;
            for (Future<Response> f : answers) {
                Response r = f.get(120, TimeUnit.SECONDS);
                if (r.statusCode() == 201) {
                    created++;
                } else {
                    assertEquals(409, r.statusCode(), r.asString());
                    assertTrue(r.asString().contains("its limit (jvmm.max-vms)"), r.asString());
                    refused++;
                }
            }
            assertEquals(maxVms, created);
            assertEquals(requests - maxVms, refused);
            assertEquals(maxVms, service.list().size());
        } finally {
            pool.shutdownNow();
            for (ManagedVm vm : service.list()) {
                service.destroy(vm.id());
            }
        }
        Api.create("hello", "1");
        for (ManagedVm vm : service.list()) {
            service.destroy(vm.id());
        }
    }
}
