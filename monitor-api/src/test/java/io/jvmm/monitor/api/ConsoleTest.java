package io.jvmm.monitor.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.kvm.testing.RequiresKvm;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The live console: follow the output, type a line, read the guest's echo of it. */
@QuarkusTest
class ConsoleTest {
    @TestHTTPResource("/")
    URL root;

    @Test
    void typingIntoAnUnknownVmIs404() {
        given().contentType(ContentType.TEXT).body("hi\n").post("/vms/nope/console").then().statusCode(404);
    }

    @Test
    @RequiresKvm
    void aTypedLineComesBackFromTheGuestOnTheStream() throws Exception {
        String id = Api.create("echo", "1");
        StringBuilder seen = new StringBuilder();
        HttpRequest req = HttpRequest.newBuilder(URI.create(root + "vms/" + id + "/console/stream"))
                .header("Accept", "text/event-stream").build();
        HttpResponse<java.io.InputStream> r = HttpClient.newHttpClient().send(req,
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                String line;
                com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
                while ((line = in.readLine()) != null) {
                    if (line.startsWith("data:") && line.contains("\"text\"")) {
                        // Output arrives in pieces as the guest writes it; the console is their concatenation.
                        String text = json.readTree(line.substring("data:".length())).get("text").asText();
                        synchronized (seen) {
                            seen.append(text);
                        }
                    }
                }
            } catch (java.io.IOException ignored) {
                // closed
            }
        });
        reader.setDaemon(true);
        reader.start();
        try {
            await(seen, "echo: ready");
            given().contentType(ContentType.TEXT).body("hello jvmm\n").post("/vms/{id}/console", id).then()
                    .statusCode(204);
            await(seen, "echo: hello jvmm");
            given().contentType(ContentType.TEXT).body("quit\n").post("/vms/{id}/console", id).then().statusCode(204);
            await(seen, "echo: bye");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!"shutdown".equals(Api.status(id)) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            given().get("/vms/{id}", id).then().body("exit.code", org.hamcrest.Matchers.equalTo(0));
            given().contentType(ContentType.TEXT).body("late\n").post("/vms/{id}/console", id).then().statusCode(409)
                    .body("error.desc", containsString("a VM that is shutdown"));
        } finally {
            r.body().close();
            given().delete("/vms/{id}", id).then().statusCode(204);
        }
    }

    private static void await(StringBuilder seen, String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            synchronized (seen) {
                if (seen.toString().contains(text)) {
                    return;
                }
            }
            Thread.sleep(20);
        }
        synchronized (seen) {
            assertTrue(seen.toString().contains(text), "'" + text + "' never came; the console stream carried:\n" + seen);
        }
    }
}
