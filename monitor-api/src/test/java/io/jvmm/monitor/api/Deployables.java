package io.jvmm.monitor.api;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the tests of {@code deploy/} share: where it is, the metric catalog of docs/metrics.md, the
 * metric names a PromQL expression uses, and running promtool.
 */
final class Deployables {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Path PROMETHEUS = ROOT.resolve("deploy/prometheus");
    static final Path GRAFANA = ROOT.resolve("deploy/grafana");
    static final Path METRICS_DOC = ROOT.resolve("docs/metrics.md");

    private static final Pattern CATALOG_ROW = Pattern.compile("^\\| `(jvmm_[a-z_]+)` \\| ([a-z]+)");
    private static final Pattern JVMM_NAME = Pattern.compile("\\b(jvmm_[a-z_]+)\\b");

    private Deployables() {
    }

    /** The Prometheus family names in docs/metrics.md's catalog, with "histogram" for histograms. */
    static List<String[]> catalog() throws IOException {
        List<String[]> rows = new ArrayList<>();
        for (String line : Files.readAllLines(METRICS_DOC, StandardCharsets.UTF_8)) {
            Matcher m = CATALOG_ROW.matcher(line);
            if (m.find()) {
                rows.add(new String[] {m.group(1), m.group(2)});
            }
        }
        assertTrue(rows.size() >= 10, "docs/metrics.md's catalog not found: " + rows.size() + " rows");
        return rows;
    }

    /** The catalog's families. */
    static Set<String> families() throws IOException {
        Set<String> out = new TreeSet<>();
        catalog().forEach(r -> out.add(r[0]));
        return out;
    }

    /**
     * The jvmm metric families an expression names: each {@code jvmm_...} identifier, with a
     * histogram's {@code _bucket}, {@code _count} or {@code _sum} taken off. Recording-rule names
     * ({@code level:metric:operation}) are not metrics and are skipped.
     */
    static Set<String> familiesUsedBy(String promql) throws IOException {
        Set<String> histograms = new TreeSet<>();
        catalog().stream().filter(r -> r[1].equals("histogram")).forEach(r -> histograms.add(r[0]));
        Set<String> out = new TreeSet<>();
        Matcher m = JVMM_NAME.matcher(promql);
        while (m.find()) {
            if (m.start() > 0 && promql.charAt(m.start() - 1) == ':') {
                continue;
            }
            String name = m.group(1);
            for (String suffix : new String[] {"_bucket", "_count", "_sum"}) {
                if (name.endsWith(suffix) && histograms.contains(name.substring(0, name.length() - suffix.length()))) {
                    name = name.substring(0, name.length() - suffix.length());
                }
            }
            out.add(name);
        }
        return out;
    }

    /** What promtool said, and its exit status. */
    record Result(int status, String output) {
    }

    /** Runs promtool with these arguments in {@code dir}. */
    static Result promtool(Path dir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(RequiresPrometheus.Condition.which("promtool"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "promtool did not finish: " + cmd);
        return new Result(p.exitValue(), out);
    }
}
