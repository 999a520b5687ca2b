package io.jvmm.monitor.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Grafana dashboard of deploy/grafana: a current schema, every panel placed and queried, every
 * PromQL expression in it parsed by promtool (with Grafana's variables given values), and only
 * metrics of docs/metrics.md's catalog named; the catalog is held to a live scrape by
 * {@link PrometheusScrapeTest}.
 */
@RequiresPrometheus
class GrafanaDashboardTest {
    private static final Path DASHBOARD = Deployables.GRAFANA.resolve("jvmm-locks.json");

    @TempDir
    Path dir;

    private static JsonNode dashboard() throws Exception {
        return new ObjectMapper().readTree(Files.readString(DASHBOARD, StandardCharsets.UTF_8));
    }

    /** Every query: the panels' target expressions and the variables' label_values queries. */
    private static List<String> queries(JsonNode d) {
        List<String> out = new ArrayList<>();
        for (JsonNode p : d.get("panels")) {
            for (JsonNode t : p.get("targets")) {
                out.add(t.get("expr").asText());
            }
        }
        for (JsonNode v : d.get("templating").get("list")) {
            if (v.get("type").asText().equals("query")) {
                out.add(v.get("query").get("query").asText());
            }
        }
        return out;
    }

    /** An expression with Grafana's variables replaced by values PromQL accepts. */
    private static String substituted(String expr) {
        return expr.replace("$__rate_interval", "1m").replace("$__interval", "1m").replace("$__range", "1h")
                .replace("$vm", ".*").replace("$role", ".*");
    }

    @Test
    void theDashboardHasACurrentSchemaAndEveryPanelIsPlacedAndQueried() throws Exception {
        JsonNode d = dashboard();
        assertTrue(d.get("schemaVersion").asInt() >= 36, "schemaVersion " + d.get("schemaVersion"));
        assertEquals("jvmm-locks", d.get("uid").asText());
        Set<Integer> ids = new TreeSet<>();
        Set<String> types = new TreeSet<>();
        for (JsonNode p : d.get("panels")) {
            assertTrue(ids.add(p.get("id").asInt()), "duplicate panel id " + p.get("id"));
            types.add(p.get("type").asText());
            for (String k : new String[] {"x", "y", "w", "h"}) {
                assertTrue(p.get("gridPos").has(k), p.get("title") + " has no gridPos." + k);
            }
            assertFalse(p.get("targets").isEmpty(), p.get("title") + " has no query");
            for (JsonNode t : p.get("targets")) {
                assertEquals("${datasource}", t.get("datasource").get("uid").asText(), p.get("title").asText());
            }
        }
        assertTrue(types.containsAll(Set.of("heatmap", "timeseries")), types.toString());
    }

    @Test
    void everyQueryParsesAndNamesOnlyExportedMetrics() throws Exception {
        List<String> queries = queries(dashboard());
        StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        Set<String> used = new TreeSet<>();
        for (int i = 0; i < queries.size(); i++) {
            String q = queries.get(i);
            used.addAll(Deployables.familiesUsedBy(q));
            if (q.startsWith("label_values(")) {
                // A Grafana function, not PromQL: its first argument is the metric.
                q = q.substring("label_values(".length(), q.indexOf(','));
            }
            rules.append("      - record: dashboard_query_").append(i).append("\n        expr: '")
                    .append(substituted(q).replace("'", "''")).append("'\n");
        }
        Files.writeString(dir.resolve("queries.yml"), rules.toString());
        Deployables.Result r = Deployables.promtool(dir, "check", "rules", "queries.yml");
        assertEquals(0, r.status(), "promtool rejected a dashboard query:\n" + r.output() + "\n" + rules);

        Set<String> unknown = new TreeSet<>(used);
        unknown.removeAll(Deployables.families());
        assertTrue(unknown.isEmpty(), "the dashboard names metrics the service does not export: " + unknown);
        assertTrue(used.containsAll(Set.of("jvmm_bql_wait_seconds", "jvmm_bql_hold_seconds", "jvmm_bql_contended_total",
                "jvmm_vcpu_exits_total", "jvmm_vm_state")), used.toString());
    }

    @Test
    void aQueryThatDoesNotParseIsCaught() throws Exception {
        Files.writeString(dir.resolve("queries.yml"), "groups:\n  - name: dashboard\n    rules:\n"
                + "      - record: broken\n        expr: 'sum by (vm (rate(jvmm_vcpu_exits_total[1m]))'\n");
        assertTrue(Deployables.promtool(dir, "check", "rules", "queries.yml").status() != 0);
        assertEquals(Set.of("jvmm_nonexistent_total"), Deployables.familiesUsedBy("rate(jvmm_nonexistent_total[1m])"));
    }
}
