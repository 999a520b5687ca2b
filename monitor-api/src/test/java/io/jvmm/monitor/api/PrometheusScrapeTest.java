package io.jvmm.monitor.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.kvm.testing.RequiresKvm;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus (Debian's, on loopback) scrapes the service's /q/metrics while a VM runs and
 * the monitor is used; the test reads the Big Lock wait metric back through Prometheus's query
 * API, promtool accepts the scrape, and the scrape's jvmm families are exactly docs/metrics.md's catalog.
 */
@QuarkusTest
@RequiresKvm
@RequiresPrometheus
class PrometheusScrapeTest {
    @TempDir
    Path dir;

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void prometheusScrapesTheLockMetricsAndPromtoolAcceptsThem() throws Exception {
        String id = Api.create("smp-work", "4", "append", "report_ms=200");
        int promPort = freePort();
        Files.writeString(dir.resolve("prometheus.yml"), String.join("\n",
                "global:", "  scrape_interval: 1s", "scrape_configs:", "  - job_name: jvmm",
                "    metrics_path: /q/metrics", "    static_configs:",
                "      - targets: ['127.0.0.1:" + RestAssured.port + "']", ""));
        Process prom = new ProcessBuilder(RequiresPrometheus.Condition.which("prometheus"),
                "--config.file=" + dir.resolve("prometheus.yml"), "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + promPort).redirectErrorStream(true)
                .redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        try {
            for (int i = 0; i < 20; i++) {
                Api.hmp(id, "info registers -a");
            }
            HttpClient http = HttpClient.newHttpClient();
            String query = "jvmm_bql_wait_seconds_count{vm=\"" + id + "\",role=\"monitor\"}";
            List<Map<String, Object>> result = List.of();
            long deadline = System.currentTimeMillis() + 60_000;
            while (System.currentTimeMillis() < deadline) {
                try {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + promPort
                            + "/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8))).build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 200) {
                        result = JsonPath.from(r.body()).getList("data.result");
                        if (!result.isEmpty()) {
                            break;
                        }
                    }
                } catch (java.io.IOException e) {
                    // Prometheus still starting
                }
                Thread.sleep(500);
            }
            assertEquals(1, result.size(), "Prometheus has no " + query + "; its log:\n"
                    + Files.readString(dir.resolve("prometheus.log")));
            @SuppressWarnings("unchecked")
            Map<String, String> labels = (Map<String, String>) result.get(0).get("metric");
            assertEquals("monitor", labels.get("role"));
            assertEquals("jvmm", labels.get("job"));
            @SuppressWarnings("unchecked")
            List<Object> value = (List<Object>) result.get(0).get("value");
            double acquisitions = Double.parseDouble(value.get(1).toString());
            assertTrue(acquisitions >= 20, "monitor BQL acquisitions seen by Prometheus: " + acquisitions);
            System.out.println("Prometheus read back " + query + " = " + acquisitions);

            // The classic text format (what promtool parses); Prometheus itself negotiated OpenMetrics above.
            String scrape = given().accept("text/plain; version=0.0.4").get("/q/metrics").then().statusCode(200)
                    .extract().asString();
            assertTrue(scrape.contains("jvmm_bql_wait_seconds_bucket{"), "no histogram buckets");
            assertTrue(scrape.contains("jvmm_bql_hold_seconds_bucket{"), "no hold histogram");
            assertTrue(scrape.contains("jvmm_vcpu_exits_total{"), "no exit counter");
            assertTrue(scrape.contains("jvmm_monitor_command_seconds_bucket{"), "no monitor latency histogram");
            // docs/metrics.md's catalog, which the dashboard and the alert rules are held to, is what is exported.
            Set<String> exported = new TreeSet<>();
            for (String line : scrape.split("\n")) {
                if (line.startsWith("# TYPE jvmm_")) {
                    exported.add(line.split(" ")[2]);
                }
            }
            assertEquals(Deployables.families(), exported, "docs/metrics.md's catalog and the scrape differ");
            Process tool = new ProcessBuilder(RequiresPrometheus.Condition.which("promtool"), "check", "metrics")
                    .redirectErrorStream(true).start();
            tool.getOutputStream().write(scrape.getBytes(StandardCharsets.UTF_8));
            tool.getOutputStream().close();
            String out = new String(tool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(tool.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, tool.exitValue(), "promtool check metrics rejected the scrape:\n" + out);
        } finally {
            prom.destroy();
            prom.waitFor(10, TimeUnit.SECONDS);
            Api.destroy(id);
        }
    }
}
