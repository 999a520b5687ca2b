package io.jvmm.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Measurement 7, start-up of a plain run: {@code ./vmm run hello}, process start to exit, against
 * the same command of the baseline tree (the commit the start-up target was set on, which bench/run
 * checks out and builds into {@code work/baseline}), pairs alternating.
 */
final class StartupBench {
    private StartupBench() {
    }

    static Section run(Env env) throws Exception {
        Section s = new Section("startup", "Start-up of a plain run");
        Path baseline = env.work.resolve("baseline");
        Path baseLauncher = baseline.resolve("vmm");
        if (!Files.isRegularFile(baseline.resolve("monitor-api/target/quarkus-app/quarkus-run.jar"))) {
            throw new IllegalStateException("the baseline is not built in " + baseline + "; bench/run builds it "
                    + "(it needs the repository's git history)");
        }
        String ref = Env.capture(List.of("git", "-C", baseline.toString(), "log", "-1", "--format=%h %cs"),
                Duration.ofSeconds(20)).strip();
        int pairs = env.count(20, 5);
        Path log = env.work.resolve("startup.log");
        List<String> ours = List.of(env.launcher().toString(), "run", "hello");
        List<String> theirs = List.of(baseLauncher.toString(), "run", "hello");
        for (int i = 0; i < 2; i++) {
            BringupBench.timeProcess(ours, 0, log);
            BringupBench.timeProcess(theirs, 0, log);
        }
        List<Double> o = new ArrayList<>();
        List<Double> b = new ArrayList<>();
        List<Double> ratios = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            double x;
            double y;
            if (i % 2 == 0) {
                x = BringupBench.timeProcess(ours, 0, log) / 1e6;
                y = BringupBench.timeProcess(theirs, 0, log) / 1e6;
            } else {
                y = BringupBench.timeProcess(theirs, 0, log) / 1e6;
                x = BringupBench.timeProcess(ours, 0, log) / 1e6;
            }
            o.add(x);
            b.add(y);
            ratios.add(x / y);
        }
        int profiled = env.count(5, 2);
        Table profile = StartupProfile.profile(ours, env.work, profiled);
        double om = Stats.median(o);
        double bm = Stats.median(b);
        double ratio = Stats.median(ratios);
        s.add("./vmm run hello, process start to exit (vs the baseline tree " + ref + ")", om, bm, "ms");
        Table t = new Table("launcher", "median", "runs (ms)");
        t.row("`./vmm run hello`, this tree", F.f(om, 0) + " ms", BringupBench.list(o));
        t.row("`./vmm run hello`, baseline " + ref, F.f(bm, 0) + " ms", BringupBench.list(b));
        t.row("ratio (median of the pairs' ratios)", F.ratio(ratio), "");
        s.md("Command: `bench/run` (section `startup`). `./vmm run hello` (the bundled guest prints one line and "
                + "exits 0), from process start to exit as the caller sees it, " + pairs + " pairs after two "
                + "untimed runs of each; which goes first alternates. The peer is the same command in the baseline "
                + "tree, " + ref + ", checked out and built by bench/run in `bench/target/bench-work/baseline`.");
        s.md(t.markdown());
        s.md("Where the time goes. " + profiled + " more runs of `./vmm run hello` with the JVM's class-loading "
                + "log on (`JVMM_JAVA_OPTS=-Xlog:class+load=info,gc+heap+exit=info:file=LOG:uptime,tags`; the "
                + "logs are kept in `bench/target/bench-work/startup-classload-*.log`): each step ends at the load "
                + "of the class the table names for it, read as the JVM's uptime, median over the runs. The log "
                + "costs some time itself, so these runs are slower than the table above.\n\n" + profile.markdown()
                + "\n\nSince the baseline, the build archives the classes a plain run loads "
                + "(`scripts/cds-archive`) and `./vmm` starts the JVM with that archive (0.84 of the time without it, "
                + "paired by hand: monitor-api/README.md); the JNA dispatch library and the KVM_RUN shim load from "
                + "the application's own directory instead of a copy made on every start; and the launcher's logging "
                + "builds no record for JNA's debug messages. What is left is class loading and interpretation "
                + "along the whole path, step by step in the table: the JVM's own start, which no application "
                + "change reaches; picocli's model, built by reflection over the commands' annotations, whose "
                + "classes cannot be archived (Java 5 class files); Quarkus' runner and logging, which start "
                + "before `VmmMain`; and JNA's start.");
        boolean met = ratio <= 0.5;
        s.md("Target: at most half the baseline's time. Result: " + F.verdict(met) + " (ratio " + F.ratio(ratio)
                + ", " + F.f(om, 0) + " ms vs " + F.f(bm, 0) + " ms).");
        s.target("./vmm run hello, process start to exit, vs the baseline <= 0.5", met,
                F.f(om, 0) + " ms vs " + F.f(bm, 0) + " ms, ratio " + F.ratio(ratio));
        return s;
    }
}
