package io.jvmm.monitor.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.kvm.testing.RequiresKvm;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The event streams, read as an SSE client reads them: the lifecycle in order, each event with
 * its number, and a reconnect with {@code Last-Event-ID} that loses nothing.
 */
@QuarkusTest
class EventsTest {
    @TestHTTPResource("/")
    URL root;

    /** An open SSE stream; each event is a map of its fields (id, event, data). */
    final class Stream implements AutoCloseable {
        private final BlockingQueue<Map<String, String>> events = new LinkedBlockingQueue<>();
        private final Thread reader;
        private volatile java.io.InputStream body;

        Stream(String path, String lastEventId) throws Exception {
            HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(root.toString().replaceAll("/$", "") + path))
                    .header("Accept", "text/event-stream");
            if (lastEventId != null) {
                req.header("Last-Event-ID", lastEventId);
            }
            HttpResponse<java.io.InputStream> r = HttpClient.newHttpClient().send(req.build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, r.statusCode());
            body = r.body();
            reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
                    Map<String, String> e = new HashMap<>();
                    String line;
                    while ((line = in.readLine()) != null) {
                        if (line.isEmpty()) {
                            if (!e.isEmpty()) {
                                events.add(e);
                            }
                            e = new HashMap<>();
                        } else if (line.contains(":")) {
                            int c = line.indexOf(':');
                            e.merge(line.substring(0, c), line.substring(c + 1).strip(), (a, b) -> a + "\n" + b);
                        }
                    }
                } catch (java.io.IOException ignored) {
                    // closed
                }
            });
            reader.setDaemon(true);
            reader.start();
        }

        /** The next event about {@code vm} (by id), waiting up to 60 s. */
        Map<String, String> next(String vm) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                Map<String, String> e = events.poll(100, TimeUnit.MILLISECONDS);
                if (e != null && e.getOrDefault("data", "").contains("\"vm\":\"" + vm + "\"")) {
                    return e;
                }
            }
            return null;
        }

        /** The next event of {@code type}, waiting up to 60 s. */
        Map<String, String> nextOfType(String type) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                Map<String, String> e = events.poll(100, TimeUnit.MILLISECONDS);
                if (e != null && type.equals(e.get("event"))) {
                    return e;
                }
            }
            return null;
        }

        @Override
        public void close() throws java.io.IOException {
            body.close();
        }
    }

    @jakarta.inject.Inject
    io.jvmm.monitor.service.ServiceEvents events;

    /** The SSE transport on its own (no VM needed): events published in the service reach the stream as SSE frames. */
    @Test
    void publishedEventsArriveAsSseFramesAndAReconnectResumesOrReportsLoss() throws Exception {
        long before = events.log().lastSeq();
        try (Stream s = new Stream("/events", null)) {
            Thread.sleep(200); // the subscription is in place once the response has started
            events.log().publish("vm-sse", "probe", "paused", Map.of("by", "operator"));
            events.log().publish("vm-sse", "probe", "resumed", Map.of("by", "operator"));
            Map<String, String> a = s.next("vm-sse");
            Map<String, String> b = s.next("vm-sse");
            assertNotNull(a);
            assertNotNull(b);
            assertEquals("paused", a.get("event"));
            assertEquals(Long.toString(before + 1), a.get("id"));
            assertTrue(a.get("data").contains("\"name\":\"probe\"") && a.get("data").contains("\"by\":\"operator\"")
                    && a.get("data").contains("\"seq\":" + (before + 1)) && a.get("data").contains("\"time\":\""),
                    a.get("data"));
            assertEquals("resumed", b.get("event"));
        }
        try (Stream again = new Stream("/events", Long.toString(before + 1))) {
            Map<String, String> e = again.next("vm-sse");
            assertNotNull(e, "the event after Last-Event-ID is replayed");
            assertEquals("resumed", e.get("event"));
        }
        for (int i = 0; i < 1100; i++) {
            events.log().publish("vm-flood", null, "reset", Map.of("by", "guest"));
        }
        try (Stream late = new Stream("/events", Long.toString(before + 1))) {
            Map<String, String> lost = late.nextOfType("events-lost");
            assertNotNull(lost, "a client that fell behind the kept events is told");
            assertTrue(lost.get("data").contains("\"count\":"), lost.get("data"));
        }
    }

    @Test
    void aBadLastEventIdIsA400AndAnUnknownVmA404() {
        given().header("Last-Event-ID", "yesterday").get("/events").then().statusCode(400)
                .body("error.desc", containsString("is not an event number"));
        given().get("/vms/nope/events").then().statusCode(404).body("error.desc", containsString("No VM 'nope'"));
    }

    @Test
    @RequiresKvm
    void theLifecycleArrivesInOrderAndAReconnectLosesNothing() throws Exception {
        List<Map<String, String>> seen = new ArrayList<>();
        String id;
        try (Stream s = new Stream("/events", null)) {
            id = Api.create("smp-work", "2", "name", "ev-1", "append", "report_ms=200");
            Api.awaitConsole(id, "tick 1", 1, 60_000);
            given().post("/vms/{id}/pause", id).then().statusCode(204);
            given().post("/vms/{id}/resume", id).then().statusCode(204);
            given().post("/vms/{id}/reset", id).then().statusCode(204);
            given().delete("/vms/{id}", id).then().statusCode(204);
            for (int i = 0; i < 5; i++) {
                Map<String, String> e = s.next(id);
                assertNotNull(e, "event " + (i + 1) + " did not come; had " + seen);
                seen.add(e);
            }
        }
        assertEquals(List.of("created", "paused", "resumed", "reset", "ended"),
                seen.stream().map(e -> e.get("event")).toList());
        for (int i = 1; i < seen.size(); i++) {
            assertTrue(Long.parseLong(seen.get(i).get("id")) > Long.parseLong(seen.get(i - 1).get("id")),
                    "numbers increase: " + seen);
        }
        assertTrue(seen.get(0).get("data").contains("\"name\":\"ev-1\""), seen.get(0).get("data"));
        assertTrue(seen.get(3).get("data").contains("\"by\":\"operator\""), seen.get(3).get("data"));
        assertTrue(seen.get(4).get("data").contains("\"kind\":\"destroyed\""), seen.get(4).get("data"));

        // Reconnect after "paused": the rest comes again, none lost.
        try (Stream again = new Stream("/events", seen.get(1).get("id"))) {
            for (String type : new String[] {"resumed", "reset", "ended"}) {
                Map<String, String> e = again.next(id);
                assertNotNull(e, type + " not replayed");
                assertEquals(type, e.get("event"));
            }
        }
    }

    @Test
    @RequiresKvm
    void aGuestResetIsReportedAsTheGuests() throws Exception {
        String id = Api.create("reset-cycle", "2", "append", "via=3 boots=2");
        try (Stream s = new Stream("/vms/" + id + "/events", "0")) {
            List<String> types = new ArrayList<>();
            Map<String, String> e;
            while ((e = s.next(id)) != null) {
                types.add(e.get("event") + (e.get("data").contains("\"by\":\"guest\"") ? " by guest" : ""));
                if ("ended".equals(e.get("event"))) {
                    break;
                }
            }
            assertEquals(List.of("created", "reset by guest", "ended"), types);
        } finally {
            given().delete("/vms/{id}", id).then().statusCode(204);
        }
    }
}
