package io.jvmm.monitor.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The alerting and recording rules of deploy/prometheus: promtool accepts them, their unit tests
 * pass, every alert has a case that must not fire, they name only metrics the service exports, and
 * the unit tests fail when a rule loses what makes it right (its threshold, its exclusion).
 */
@RequiresPrometheus
class PrometheusRulesTest {
    private static final Path RULES = Deployables.PROMETHEUS.resolve("jvmm-rules.yml");
    private static final Path TESTS = Deployables.PROMETHEUS.resolve("tests/jvmm-rules-test.yml");

    @TempDir
    Path dir;

    private static List<String> alerts(String rules) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("- alert: (\\w+)").matcher(rules);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    @Test
    void promtoolAcceptsTheRulesAndTheirTestsPass() throws Exception {
        Deployables.Result check = Deployables.promtool(Deployables.PROMETHEUS, "check", "rules", "jvmm-rules.yml");
        assertEquals(0, check.status(), check.output());
        Deployables.Result test = Deployables.promtool(TESTS.getParent(), "test", "rules", TESTS.getFileName().toString());
        assertEquals(0, test.status(), test.output());
        assertTrue(test.output().contains("SUCCESS"), test.output());
    }

    @Test
    void everyAlertHasACaseThatFiresAndOneThatMustNot() throws Exception {
        String rules = Files.readString(RULES, StandardCharsets.UTF_8);
        String tests = Files.readString(TESTS, StandardCharsets.UTF_8);
        List<String> alerts = alerts(rules);
        assertEquals(List.of("JvmmBigLockWaitHigh", "JvmmVcpuStuck", "JvmmVmGuestFault", "JvmmVmmError",
                "JvmmServiceDown"), alerts);
        for (String a : alerts) {
            assertTrue(Pattern.compile("alertname: " + a + "\\s+exp_alerts: \\[\\]").matcher(tests).find(),
                    a + " has no case that must not fire");
            assertTrue(Pattern.compile("alertname: " + a + "\\s+exp_alerts:\\s+- exp_labels").matcher(tests).find(),
                    a + " has no case that fires");
        }
    }

    @Test
    void theRulesNameOnlyExportedMetrics() throws Exception {
        Set<String> used = Deployables.familiesUsedBy(Files.readString(RULES, StandardCharsets.UTF_8));
        Set<String> unknown = new TreeSet<>(used);
        unknown.removeAll(Deployables.families());
        assertTrue(unknown.isEmpty(), "the rules name metrics the service does not export: " + unknown);
        assertTrue(used.contains("jvmm_bql_wait_seconds"), used.toString());
    }

    /** A copy of the rules with one change, and its unit tests run against it. */
    private Deployables.Result testsAgainst(String from, String to) throws Exception {
        String rules = Files.readString(RULES, StandardCharsets.UTF_8);
        assertTrue(rules.contains(from), "the rules no longer contain: " + from);
        Files.createDirectories(dir.resolve("tests"));
        Files.writeString(dir.resolve("jvmm-rules.yml"), rules.replace(from, to));
        Files.copy(TESTS, dir.resolve("tests/jvmm-rules-test.yml"));
        return Deployables.promtool(dir.resolve("tests"), "test", "rules", "jvmm-rules-test.yml");
    }

    /**
     * Each alert's tests catch the rule losing what makes it right: a threshold that never fires, a
     * stuck alert that fires on paused VMs, a fault alert that counts every end, a down alert that
     * ignores a missing target. Rows: the alert, the rule text, what it is changed to.
     */
    static Stream<Arguments> brokenRules() {
        return Stream.of(
                Arguments.of("JvmmBigLockWaitHigh", "rate(jvmm_bql_wait_seconds_bucket[5m]))) >= 0.01",
                        "rate(jvmm_bql_wait_seconds_bucket[5m]))) >= 10"),
                Arguments.of("JvmmVcpuStuck", "unless on (vm) (jvmm_vm_state{state=~\"paused|created\"} == 1)", ""),
                Arguments.of("JvmmVmGuestFault", "jvmm_vm_ends_total{reason=\"guest_fault\"}", "jvmm_vm_ends_total"),
                Arguments.of("JvmmServiceDown", "up{job=\"jvmm\"} == 0 or absent(up{job=\"jvmm\"})", "up{job=\"jvmm\"} == 0"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenRules")
    void theTestsCatchABrokenRule(String alert, String from, String to) throws Exception {
        Deployables.Result r = testsAgainst(from, to);
        assertNotEquals(0, r.status(), r.output());
        // The unit tests ran and an expectation about this alert failed (not a rule file promtool rejected).
        assertTrue(r.output().contains("alertname: " + alert + ","), r.output());
    }

    @Test
    void theScrapeConfigurationsAreValid() throws Exception {
        Files.copy(RULES, dir.resolve("jvmm-rules.yml"));
        Path token = dir.resolve("token");
        Files.writeString(token, "t0ken\n");
        for (String name : new String[] {"scrape-token.yml", "scrape-metrics-port.yml"}) {
            String config = Files.readString(Deployables.PROMETHEUS.resolve(name), StandardCharsets.UTF_8)
                    .replace("/etc/jvmm/token", token.toString());
            Files.writeString(dir.resolve(name), config);
            Deployables.Result r = Deployables.promtool(dir, "check", "config", name);
            assertEquals(0, r.status(), name + ": " + r.output());
        }
    }
}
