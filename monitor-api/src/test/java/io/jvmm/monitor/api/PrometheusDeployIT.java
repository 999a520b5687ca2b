package io.jvmm.monitor.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.kvm.testing.RequiresKvm;
import io.jvmm.monitor.cli.Launcher;
import io.restassured.path.json.JsonPath;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnixDomainSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged service scraped by a real Prometheus through the configurations of deploy/prometheus,
 * changed only in target, token file and intervals: over the metrics listener of a service that
 * listens on a Unix socket, and over TCP with the access token. Prometheus loads the alert rules
 * too and reports them healthy.
 */
@RequiresPrometheus
class PrometheusDeployIT {
    @TempDir
    Path dir;

    private final List<Process> processes = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @AfterEach
    void stopAll() throws InterruptedException {
        for (Process p : processes) {
            p.destroy();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private Process start(String log, List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve(log).toFile()).start();
        processes.add(p);
        return p;
    }

    /** Starts Prometheus on deploy/prometheus/{@code example}, changed by {@code changes} (pairs: from, to). */
    private int prometheus(String example, String... changes) throws IOException {
        Path prom = Files.createDirectories(dir.resolve("prometheus"));
        Files.copy(Deployables.PROMETHEUS.resolve("jvmm-rules.yml"), prom.resolve("jvmm-rules.yml"));
        String config = Files.readString(Deployables.PROMETHEUS.resolve(example), StandardCharsets.UTF_8)
                .replace("scrape_interval: 15s", "scrape_interval: 1s")
                .replace("evaluation_interval: 15s", "evaluation_interval: 1s");
        for (int i = 0; i < changes.length; i += 2) {
            assertTrue(config.contains(changes[i]), example + " no longer contains " + changes[i]);
            config = config.replace(changes[i], changes[i + 1]);
        }
        Files.writeString(prom.resolve("prometheus.yml"), config);
        int port = freePort();
        start("prometheus.log", List.of(RequiresPrometheus.Condition.which("prometheus"),
                "--config.file=" + prom.resolve("prometheus.yml"), "--storage.tsdb.path=" + prom.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port));
        return port;
    }

    /**
     * The result of an instant query, once it has at least one series: within 240 s, which a slow
     * machine needs (Prometheus and the service both starting under nested virtualization).
     */
    private List<Map<String, Object>> query(int promPort, String promql) throws Exception {
        long deadline = System.currentTimeMillis() + 240_000;
        while (System.currentTimeMillis() < deadline) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + promPort
                        + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8))).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    List<Map<String, Object>> result = JsonPath.from(r.body()).getList("data.result");
                    if (!result.isEmpty()) {
                        return result;
                    }
                }
            } catch (IOException e) {
                // Prometheus still starting
            }
            Thread.sleep(500);
        }
        throw new AssertionError("Prometheus has no " + promql + " after 240 s; its log:\n"
                + Files.readString(dir.resolve("prometheus.log")) + "\nthe service's:\n"
                + Files.readString(dir.resolve("service.log")));
    }

    private static String value(Map<String, Object> sample) {
        @SuppressWarnings("unchecked")
        List<Object> v = (List<Object>) sample.get("value");
        return v.get(1).toString();
    }

    /** Every rule Prometheus loaded is healthy, and the alert group is among them. */
    private void rulesAreLoaded(int promPort) throws Exception {
        String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + promPort + "/api/v1/rules"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        JsonPath rules = JsonPath.from(body);
        assertTrue(rules.getList("data.groups.name").contains("jvmm-alerts"), body);
        for (Object health : rules.getList("data.groups.rules.health.flatten()")) {
            assertEquals("ok", health, body);
        }
    }

    private Process serveOnSocket(Path socket, int metricsPort) throws Exception {
        List<String> cmd = Launcher.command("serve", "--socket", socket.toString(), "--metrics-port",
                Integer.toString(metricsPort));
        return start("service.log", cmd);
    }

    @Test
    void aServiceOnAUnixSocketIsScrapedThroughItsMetricsListener() throws Exception {
        int metricsPort = freePort();
        serveOnSocket(dir.resolve("jvmm.sock"), metricsPort);
        int prom = prometheus("scrape-metrics-port.yml", "127.0.0.1:9464", "127.0.0.1:" + metricsPort);

        Map<String, Object> info = query(prom, "jvmm_build_info{job=\"jvmm\"}").get(0);
        @SuppressWarnings("unchecked")
        Map<String, String> labels = (Map<String, String>) info.get("metric");
        assertEquals("1", value(info));
        assertFalse(labels.get("version").isBlank(), labels.toString());
        assertFalse(labels.get("commit").isBlank(), labels.toString());
        assertEquals(System.getProperty("java.version"), labels.get("java"));
        query(prom, "up{job=\"jvmm\"} == 1");
        assertEquals("0", value(query(prom, "jvmm_vm_ends_total{reason=\"guest_fault\"}").get(0)));
        rulesAreLoaded(prom);

        // The listener serves the metrics and nothing else, and only to loopback names.
        URI metrics = URI.create("http://127.0.0.1:" + metricsPort + "/metrics");
        String rebound = getWithHost(metricsPort, "evil.example");
        assertTrue(rebound.startsWith("HTTP/1.1 403"), rebound);
        assertTrue(getWithHost(metricsPort, "localhost:" + metricsPort).startsWith("HTTP/1.1 200"));
        // What the listener serves passes Prometheus's linter.
        Path scrape = dir.resolve("scrape.txt");
        Files.writeString(scrape, http.send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString())
                .body());
        Process lint = new ProcessBuilder(RequiresPrometheus.Condition.which("promtool"), "check", "metrics")
                .redirectInput(scrape.toFile()).redirectErrorStream(true).start();
        String lintOut = new String(lint.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(lint.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, lint.exitValue(), "promtool check metrics: " + lintOut);
        assertFalse(Files.readString(scrape).contains("jvm_total"), "the JVM info counter is left out");
        assertEquals(405, http.send(HttpRequest.newBuilder(metrics).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
        HttpResponse<String> api = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort
                + "/vms")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(404, api.statusCode());
        assertTrue(api.body().contains("serves GET /metrics only"), api.body());
    }

    @Test
    void aServiceWithATokenIsScrapedWithIt() throws Exception {
        Path token = dir.resolve("token");
        Files.writeString(token, "scrape-s3cret\n");
        int port = freePort();
        start("service.log", Launcher.command("serve", "--port", Integer.toString(port), "--token-file", token.toString()));
        int prom = prometheus("scrape-token.yml", "127.0.0.1:8080", "127.0.0.1:" + port, "/etc/jvmm/token",
                token.toString());

        // up is 0 until the service listens; then 1, with the token from the file.
        query(prom, "up{job=\"jvmm\"} == 1");
        assertEquals("1", value(query(prom, "jvmm_build_info{job=\"jvmm\"}").get(0)));
        rulesAreLoaded(prom);
        // Without the token the same scrape is refused.
        assertEquals(401, http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString()).statusCode());
    }

    @Test
    @RequiresKvm
    void aVmsLockMetricsReachPrometheusThroughTheMetricsListener() throws Exception {
        int metricsPort = freePort();
        Path socket = dir.resolve("jvmm.sock");
        serveOnSocket(socket, metricsPort);
        int prom = prometheus("scrape-metrics-port.yml", "127.0.0.1:9464", "127.0.0.1:" + metricsPort);
        query(prom, "up{job=\"jvmm\"} == 1");
        String created = post(socket, "/vms", "{\"guest\": \"smp-work\", \"smp\": \"2\", \"name\": \"scraped\"}");
        assertTrue(created.startsWith("HTTP/1.1 201"), created);
        double acquisitions = Double.parseDouble(value(query(prom,
                "sum(jvmm_bql_acquisitions_total{vm=\"scraped\",role=\"vcpu\"}) > 0").get(0)));
        assertTrue(acquisitions > 0, "vCPU Big Lock acquisitions seen by Prometheus: " + acquisitions);
        query(prom, "jvmm_vm_info{vm=\"scraped\",name=\"scraped\"}");
        query(prom, "jvmm_vm_state{vm=\"scraped\",state=\"running\"} == 1");
        query(prom, "jvmm_bql_wait_seconds_count{vm=\"scraped\"}");
    }

    /** GET /metrics with this Host header (which the JDK's client will not send); the raw answer. */
    private static String getWithHost(int port, String host) throws IOException {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            s.getOutputStream().write(("GET /metrics HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** POST over the Unix socket; the raw answer. */
    private static String post(Path socket, String path, String json) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            long deadline = System.currentTimeMillis() + 60_000;
            while (true) {
                try {
                    ch.connect(UnixDomainSocketAddress.of(socket));
                    break;
                } catch (IOException e) {
                    if (System.currentTimeMillis() > deadline) {
                        throw e;
                    }
                    try {
                        Thread.sleep(200);
                    } catch (InterruptedException ie) {
                        throw new IOException(ie);
                    }
                }
            }
            byte[] body = json.getBytes(StandardCharsets.UTF_8);
            ch.write(ByteBuffer.wrap(("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII)));
            ch.write(ByteBuffer.wrap(body));
            ByteBuffer buf = ByteBuffer.allocate(65536);
            while (ch.read(buf) > 0) {
                // until the server closes
            }
            return new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
        }
    }
}
