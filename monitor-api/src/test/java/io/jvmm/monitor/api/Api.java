package io.jvmm.monitor.api;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.util.HashMap;
import java.util.Map;

/** REST calls the tests make, through the real HTTP server Quarkus starts on loopback. */
final class Api {
    private Api() {
    }

    /** POST /vms; returns the new id. {@code extra} holds more body fields as key, value pairs. */
    static String create(String guest, String smp, Object... extra) {
        Map<String, Object> body = new HashMap<>();
        body.put("guest", guest);
        body.put("smp", smp);
        for (int i = 0; i < extra.length; i += 2) {
            body.put((String) extra[i], extra[i + 1]);
        }
        return given().contentType(ContentType.JSON).body(body).post("/vms").then().statusCode(201).extract()
                .path("id");
    }

    /** POST /vms/{id}/hmp; the raw response. */
    static Response hmpResponse(String id, String commandLine) {
        return given().contentType(ContentType.JSON).body(Map.of("command-line", commandLine))
                .post("/vms/{id}/hmp", id);
    }

    /** POST /vms/{id}/hmp expecting 200; returns the "return" text. */
    static String hmp(String id, String commandLine) {
        Response r = hmpResponse(id, commandLine);
        if (r.statusCode() != 200) {
            throw new AssertionError(commandLine + " -> " + r.statusCode() + " " + r.asString());
        }
        return r.path("return");
    }

    /** GET /vms/{id}/console. */
    static String console(String id) {
        return given().get("/vms/{id}/console", id).then().statusCode(200).extract().asString();
    }

    /** GET /vms/{id} "status". */
    static String status(String id) {
        return given().get("/vms/{id}", id).then().statusCode(200).extract().path("status");
    }

    /** Waits until the console contains {@code needle} {@code times} times. */
    static String awaitConsole(String id, String needle, int times, long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        String text = "";
        while (System.currentTimeMillis() < deadline) {
            text = console(id);
            if (count(text, needle) >= times) {
                return text;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("waited " + timeoutMs + " ms for " + times + " x '" + needle + "' on " + id + ":\n"
                + text);
    }

    /** Waits until the VM's status is {@code status}. */
    static void awaitStatus(String id, String status, long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < deadline) {
            if (status.equals(status(id))) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError(id + " is " + status(id) + ", not " + status + ", after " + timeoutMs + " ms");
    }

    static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    static void destroy(String id) {
        given().delete("/vms/{id}", id);
    }
}
