package io.jvmm.monitor.race;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jvmm.core.lock.BigLock;
import io.jvmm.core.machine.MachineConfig;
import io.jvmm.core.testing.HaltedVcpuSpinsControl;
import io.jvmm.core.testing.StaleWritebackControl;
import io.jvmm.monitor.service.VmService;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The soak behind {@code scripts/soak} (excluded from the normal test run): N runs of each race
 * configuration under a 2 ms {@code info registers -a} load through the REST API, for 2, 4 and 8
 * vCPUs, with the product and with each sensitivity control; prints a table and writes it to
 * {@code soak.out} (default target/soak-report.md). Fails if the product lost an event, hung or
 * failed otherwise, if any of the product's monitor calls failed, or if a control was caught in
 * fewer than half its runs (the suite would then no longer detect the defect it puts back).
 *
 * <p>System properties: {@code soak.runs} (default 10), {@code soak.sizes} (default 2,4,8),
 * {@code soak.out}.
 */
@QuarkusTest
class SoakRun {
    @Inject
    VmService service;

    @TestHTTPResource("/")
    URL base;

    /** What a row's runs must show: the product passes; each control is caught in its own way. */
    enum Expect {
        PASS, LOSE_EVENT, VMM_ERROR, HANG
    }

    private record Config(String name, String guest, boolean poweredOff, Expect expect, long deadlineMs,
                          Supplier<UnaryOperator<MachineConfig.Builder>> customizer) {
    }

    static final class Row {
        final String config;
        final int cpus;
        int runs;
        int passes;
        int lost;
        int hangs;
        int vmmErrors;
        int other;
        long calls;
        long loadErrors;
        String lastLoadError;
        final List<Long> p50s = new ArrayList<>();
        final List<Long> p99s = new ArrayList<>();
        final List<String> examples = new ArrayList<>();

        final Expect expect;

        Row(String config, int cpus, Expect expect) {
            this.config = config;
            this.cpus = cpus;
            this.expect = expect;
        }

        /** Runs that showed what the row expects. */
        int asExpected() {
            return switch (expect) {
                case PASS -> passes;
                case LOSE_EVENT -> lost;
                case VMM_ERROR -> vmmErrors;
                case HANG -> hangs;
            };
        }

        /** Why the row fails the soak, or null: any product failure or failed monitor call; a control caught in fewer than half its runs. */
        String problem() {
            if (expect == Expect.PASS) {
                if (passes != runs || loadErrors != 0) {
                    return config + ", " + cpus + " vCPUs: " + (runs - passes) + " of " + runs + " runs failed, "
                            + loadErrors + " monitor calls failed" + (lastLoadError == null ? "" : " (last: "
                            + lastLoadError + ")");
                }
                return null;
            }
            if (asExpected() * 2 < runs) {
                return config + ", " + cpus + " vCPUs: the control was caught in only " + asExpected() + " of " + runs
                        + " runs; the suite no longer detects the defect it puts back";
            }
            return null;
        }

        long median(List<Long> v) {
            if (v.isEmpty()) {
                return 0;
            }
            Long[] a = v.toArray(new Long[0]);
            Arrays.sort(a);
            return a[a.length / 2];
        }
    }

    @Test
    void soak() throws Exception {
        int runs = Integer.getInteger("soak.runs", 10);
        List<Integer> sizes = Arrays.stream(System.getProperty("soak.sizes", "2,4,8").split(","))
                .map(String::trim).map(Integer::parseInt).toList();
        Path out = Path.of(System.getProperty("soak.out", "target/soak-report.md"));
        String baseUrl = base.toString().replaceAll("/$", "");
        List<Config> configs = List.of(
                new Config("product: ipi-storm", "ipi-storm", false, Expect.PASS, 120_000, UnaryOperator::identity),
                new Config("control (a) stale writeback: ipi-storm", "ipi-storm", false, Expect.LOSE_EVENT, 120_000,
                        () -> b -> b.writebackPolicy(new StaleWritebackControl())),
                new Config("product: powered-off", "powered-off", true, Expect.PASS, 60_000, UnaryOperator::identity),
                new Config("control (b) spinning vCPU, checks on: powered-off", "powered-off", true, Expect.VMM_ERROR,
                        60_000, () -> b -> b.loopPolicy(new HaltedVcpuSpinsControl()).lockChecks(true)),
                new Config("control (b) spinning vCPU, checks off: powered-off", "powered-off", true, Expect.HANG,
                        5_000, null));
        List<Row> rows = new ArrayList<>();
        long started = System.currentTimeMillis();
        for (Config c : configs) {
            for (int cpus : sizes) {
                Row row = new Row(c.name, cpus, c.expect);
                rows.add(row);
                for (int i = 0; i < runs; i++) {
                    HaltedVcpuSpinsControl spin = new HaltedVcpuSpinsControl();
                    UnaryOperator<MachineConfig.Builder> customize = c.customizer != null ? c.customizer.get()
                            : b -> b.loopPolicy(spin).lockChecks(false);
                    String[] holder = {null};
                    StormRun r = StormRun.run(service, baseUrl, c.guest, Integer.toString(cpus), "", c.poweredOff,
                            customize, RaceSuiteTest.PERIOD, c.deadlineMs, vm -> {
                                holder[0] = vm.machine().bql().holder().map(BigLock.Holder::toString).orElse("none");
                                spin.disarm();
                            });
                    row.runs++;
                    row.calls += r.load().calls();
                    row.loadErrors += r.load().errors();
                    if (r.load().lastError() != null) {
                        row.lastLoadError = r.load().lastError();
                    }
                    row.p50s.add(r.load().p50Us());
                    row.p99s.add(r.load().p99Us());
                    switch (r.outcome()) {
                        case PASSED -> row.passes++;
                        case LOST_EVENT -> row.lost++;
                        case HUNG -> row.hangs++;
                        case VMM_ERROR -> row.vmmErrors++;
                        default -> row.other++;
                    }
                    if (r.outcome() != StormRun.Outcome.PASSED && row.examples.size() < 2) {
                        row.examples.add(r.outcome() + ": " + (holder[0] != null ? "BQL held by " + holder[0]
                                : r.detail()));
                    }
                }
                System.out.printf("%-52s %2d vCPUs: %d runs, %d passed, %d lost, %d hung, %d VMM errors%n", row.config,
                        row.cpus, row.runs, row.passes, row.lost, row.hangs, row.vmmErrors);
            }
        }
        String table = table(rows, runs, (System.currentTimeMillis() - started) / 1000);
        System.out.println(table);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, table);
        List<String> problems = rows.stream().map(Row::problem).filter(java.util.Objects::nonNull).toList();
        problems.forEach(p -> System.out.println("SOAK FAILURE: " + p));
        assertEquals(List.of(), problems, "see " + out);
    }

    private static String table(List<Row> rows, int runs, long seconds) {
        StringBuilder sb = new StringBuilder();
        sb.append("| configuration | vCPUs | runs | guest passes | lost events | hangs | caught (VMM error) | other "
                + "failures | monitor calls | failed calls | p50 latency (us) | p99 latency (us) | verdict |\n");
        sb.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (Row r : rows) {
            sb.append(String.format("| %s | %d | %d | %d | %d | %d | %d | %d | %d | %d | %d | %d | %s |%n", r.config,
                    r.cpus, r.runs, r.passes, r.lost, r.hangs, r.vmmErrors, r.other, r.calls, r.loadErrors,
                    r.median(r.p50s), r.median(r.p99s), r.problem() == null ? "ok" : "FAIL"));
        }
        sb.append("\nLatencies are the medians over the runs of each run's p50 and p99 of `info registers -a` "
                + "through the REST API, 2 ms period.\n\nExamples of what failed:\n\n");
        for (Row r : rows) {
            for (String e : r.examples) {
                sb.append("- ").append(r.config).append(", ").append(r.cpus).append(" vCPUs: ").append(e)
                        .append('\n');
            }
        }
        sb.append(String.format("%n%d runs per row; %d s in all; %s.%n", runs, seconds, LocalDate.now()));
        return sb.toString();
    }
}
