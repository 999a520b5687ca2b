package io.jvmm.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The benchmark driver bench/run starts: runs the sections in order, saves each one's results
 * under the work directory, then writes bench/results.json and docs/benchmarks.md from them and
 * prints the table.
 *
 * <pre>
 *   BenchMain --repo DIR --work DIR [--quick] [--only exit,lock,...] [--report-only]
 * </pre>
 */
public final class BenchMain {
    private BenchMain() {
    }

    interface SectionRunner {
        Section run(Env env) throws Exception;
    }

    /** Every section, in the order a full run takes them (and the report shows them). */
    static Map<String, SectionRunner> sections() {
        Map<String, SectionRunner> m = new LinkedHashMap<>();
        m.put("exit", ExitBench::run);
        m.put("monitor", MonitorBench::run);
        m.put("bringup", BringupBench::run);
        m.put("startup", StartupBench::run);
        m.put("lock", LockBench::run);
        m.put("handoff", HandoffBench::run);
        m.put("slowdown", SlowdownBench::run);
        m.put("memory", MemoryBench::run);
        m.put("service", ServiceBench::run);
        m.put("profile", ProfileBench::run);
        return m;
    }

    public static void main(String[] args) throws Exception {
        Path repo = null;
        Path work = null;
        boolean quick = false;
        boolean reportOnly = false;
        List<String> only = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--repo" -> repo = Path.of(args[++i]).toAbsolutePath().normalize();
                case "--work" -> work = Path.of(args[++i]).toAbsolutePath().normalize();
                case "--quick" -> quick = true;
                case "--report-only" -> reportOnly = true;
                case "--only" -> only = Arrays.asList(args[++i].split(","));
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (repo == null || work == null) {
            throw new IllegalArgumentException("usage: BenchMain --repo DIR --work DIR [--quick] [--only a,b] [--report-only]");
        }
        Env env = new Env(repo, work, quick);
        Map<String, SectionRunner> all = sections();
        if (only != null) {
            for (String o : only) {
                if (!all.containsKey(o)) {
                    throw new IllegalArgumentException("unknown section " + o + "; sections: " + all.keySet());
                }
            }
        }
        List<String> failed = new ArrayList<>();
        if (!reportOnly) {
            for (var e : all.entrySet()) {
                if (only != null && !only.contains(e.getKey())) {
                    continue;
                }
                long t0 = System.nanoTime();
                env.log("section %s: start", e.getKey());
                try {
                    Section s = e.getValue().run(env);
                    s.seconds = (System.nanoTime() - t0) / 1e9;
                    s.save(env.sections());
                    env.log("section %s: done in %.0f s", e.getKey(), s.seconds);
                } catch (Exception | Error x) {
                    failed.add(e.getKey());
                    env.log("section %s FAILED: %s", e.getKey(), x);
                    x.printStackTrace();
                    Section s = new Section(e.getKey(), e.getKey());
                    s.failure = String.valueOf(x);
                    s.save(env.sections());
                }
            }
        }
        List<Section> loaded = new ArrayList<>();
        for (String id : all.keySet()) {
            Section s = Section.load(env.sections(), id);
            if (s != null) {
                loaded.add(s);
            }
        }
        Report.write(env, loaded);
        if (!failed.isEmpty()) {
            env.log("sections that failed: %s", failed);
            System.exit(1);
        }
    }
}
