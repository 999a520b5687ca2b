package io.jvmm.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a plain run's start-up goes, from the JVM's class-loading log with uptime
 * ({@code -Xlog:class+load}, and the heap summary the JVM logs as it exits, for the end): the
 * uptime at which the first (or last) class of each step loads marks the step, so each step's
 * time is the difference of two marks. The log's own cost is in the figures; the run is timed
 * from outside too, and what comes before the JVM's clock starts (the launcher script, the JVM's
 * creation) is the rest.
 */
final class StartupProfile {
    private static final Pattern LINE = Pattern.compile("^\\[(\\d+\\.\\d+)s\\]\\[([^\\]]*)\\] (\\S+)");

    /**
     * A step: it ends when a class {@code ends} matches is loaded, at the first such load after the
     * step before ended, or if {@code last} at the last one before the next step ends ({@code ends}
     * null: the JVM's exit).
     */
    private record Step(String what, Predicate<String> ends, boolean last) {
        boolean matches(Event e) {
            return ends == null ? e.tags().contains("exit") : e.tags().startsWith("class,load") && ends.test(e.name());
        }
    }

    /** One line of the log: its uptime in ms, its tags and its first word (the class, for a load). */
    private record Event(double ms, String tags, String name) {
    }

    private static final List<Step> STEPS = List.of(
            new Step("the JVM's own start, to the first class of Quarkus' launcher",
                    c -> c.equals("io.quarkus.bootstrap.runner.QuarkusEntryPoint"), false),
            new Step("Quarkus' launcher (class path, logging), to `VmmMain`", c -> c.equals("io.jvmm.monitor.cli.VmmMain"),
                    false),
            new Step("picocli: the command model from the annotations, and the parse (to its last class before `Kvm`)",
                    c -> c.startsWith("picocli."), true),
            new Step("the guest image and the machine's configuration, to `Kvm`", c -> c.equals("io.jvmm.kvm.Kvm"), false),
            new Step("JNA's start and the open of `/dev/kvm`, to `VmFd`", c -> c.equals("io.jvmm.kvm.VmFd"), false),
            new Step("the VM: memory, devices, firmware tables, to `Vcpu`", c -> c.equals("io.jvmm.core.vcpu.Vcpu"), false),
            new Step("the vCPUs, the guest's run, the teardown, to the last class loaded", c -> true, true),
            new Step("the rest, to the JVM's exit", null, true));

    /** The uptime in ms at which each step ended in one log, in the order of {@link #STEPS}; NaN where not found. */
    static double[] marks(Path log) throws Exception {
        List<Event> events = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            Matcher m = LINE.matcher(line);
            if (m.find()) {
                events.add(new Event(Double.parseDouble(m.group(1)) * 1000, m.group(2), m.group(3)));
            }
        }
        double[] marks = new double[STEPS.size()];
        double previous = 0;
        for (int i = 0; i < STEPS.size(); i++) {
            Step s = STEPS.get(i);
            if (!s.last()) {
                marks[i] = first(events, s, previous);
            } else {
                double until = i + 1 < STEPS.size() ? first(events, STEPS.get(i + 1), previous) : Double.MAX_VALUE;
                marks[i] = Double.NaN;
                for (Event e : events) {
                    if (e.ms() >= previous && e.ms() <= until && s.matches(e)) {
                        marks[i] = e.ms();
                    }
                }
            }
            if (!Double.isNaN(marks[i])) {
                previous = marks[i];
            }
        }
        return marks;
    }

    private static double first(List<Event> events, Step s, double after) {
        for (Event e : events) {
            if (e.ms() >= after && s.matches(e)) {
                return e.ms();
            }
        }
        return Double.NaN;
    }

    /** Runs {@code cmd} {@code runs} times with the log on; the table of steps (median over the runs). */
    static Table profile(List<String> cmd, Path work, int runs) throws Exception {
        List<double[]> all = new ArrayList<>();
        List<Double> walls = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            Path log = work.resolve("startup-classload-" + i + ".log");
            Files.deleteIfExists(log);
            walls.add(BringupBench.timeProcess(cmd, 0, work.resolve("startup.log"), Map.of("JVMM_JAVA_OPTS",
                    "-Xlog:class+load=info,gc+heap+exit=info:file=" + log.toAbsolutePath() + ":uptime,tags")) / 1e6);
            all.add(marks(log));
        }
        Table t = new Table("step", "ends at (JVM uptime)", "takes");
        double previous = 0;
        for (int i = 0; i < STEPS.size(); i++) {
            int k = i;
            List<Double> found = all.stream().map(a -> a[k]).filter(d -> !Double.isNaN(d)).toList();
            if (found.isEmpty()) {
                t.row(STEPS.get(i).what(), "not in the log", "-");
                continue;
            }
            double mark = Stats.median(found);
            t.row(STEPS.get(i).what(), F.f(mark, 0) + " ms", F.f(mark - previous, 0) + " ms");
            previous = mark;
        }
        double wall = Stats.median(walls);
        t.row("before the JVM's clock starts (the launcher script, the JVM's creation), and after its exit",
                "", F.f(wall - previous, 0) + " ms");
        t.row("**the logged run, process start to exit**", "", "**" + F.f(wall, 0) + " ms**");
        return t;
    }

    private StartupProfile() {
    }
}
