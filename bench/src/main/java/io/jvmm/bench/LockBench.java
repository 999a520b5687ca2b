package io.jvmm.bench;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Measurement 4, the Big Lock's cost, with JMH: uncontended acquire-release with
 * {@code LockObserver.NONE} and with {@code LockMetricsObserver} on a
 * {@code PrometheusMeterRegistry} (the service's registry), with the checks on and off;
 * contended with 2 and 4 threads. Short runs (forks, iterations below); the error JMH reports
 * is the 99.9% confidence interval.
 */
final class LockBench {
    private LockBench() {
    }

    record Score(double ns, double error) {
        String text() {
            return F.f(ns, 1) + " ± " + F.f(error, 1) + " ns";
        }
    }

    static Section run(Env env) throws Exception {
        int forks = env.count(2, 1);
        int warmups = env.count(2, 1);
        int iterations = env.count(4, 2);
        Options opts = new OptionsBuilder().include(LockBenchmarks.class.getName().replace("$", ".") + ".*")
                .forks(forks).warmupIterations(warmups).warmupTime(TimeValue.seconds(1))
                .measurementIterations(iterations).measurementTime(TimeValue.seconds(1))
                .jvmArgsAppend("-XX:+UseSerialGC").shouldFailOnError(true)
                .output(env.work.resolve("jmh.log").toString()).build();
        env.log("lock: JMH, %d fork(s) x (%d warm-up + %d measured 1 s iterations) per benchmark; log in %s", forks,
                warmups, iterations, env.work.resolve("jmh.log"));
        Collection<RunResult> results = new Runner(opts).run();
        Map<String, Score> scores = new LinkedHashMap<>();
        for (RunResult r : results) {
            String bench = r.getParams().getBenchmark();
            bench = bench.substring(bench.lastIndexOf('.') + 1);
            StringBuilder key = new StringBuilder(bench);
            for (String p : r.getParams().getParamsKeys()) {
                key.append(' ').append(p).append('=').append(r.getParams().getParam(p));
            }
            Result<?> pr = r.getPrimaryResult();
            scores.put(key.toString(), new Score(pr.getScore(), pr.getScoreError()));
            env.log("lock: %s: %s", key, scores.get(key.toString()).text());
        }
        Section s = new Section("lock", "Big Lock cost (JMH)");
        Score noneOn = scores.get("uncontended checks=true observer=none");
        Score microOn = scores.get("uncontended checks=true observer=micrometer");
        Score noneOff = scores.get("uncontended checks=false observer=none");
        Score microOff = scores.get("uncontended checks=false observer=micrometer");
        Score plain = scores.get("plainReentrantLock");
        Score c2None = scores.get("contended2 observer=none");
        Score c2Micro = scores.get("contended2 observer=micrometer");
        Score c4None = scores.get("contended4 observer=none");
        Score c4Micro = scores.get("contended4 observer=micrometer");
        s.add("BigLock uncontended acquire-release, product metrics observer vs none (checks on)", microOn.ns,
                noneOn.ns, "ns");
        s.add("BigLock uncontended acquire-release, product metrics observer vs none (checks off)", microOff.ns,
                noneOff.ns, "ns");
        s.add("BigLock uncontended acquire-release, checks on vs off (no observer)", noneOn.ns, noneOff.ns, "ns");
        s.add("BigLock uncontended acquire-release vs bare ReentrantLock lock/unlock (no observer, checks on)",
                noneOn.ns, plain.ns, "ns");
        s.add("BigLock contended, 2 threads, product metrics observer vs none", c2Micro.ns, c2None.ns, "ns");
        s.add("BigLock contended, 4 threads, product metrics observer vs none", c4Micro.ns, c4None.ns, "ns");

        Table t = new Table("benchmark", "LockObserver.NONE", "LockMetricsObserver (product metrics)", "metrics add");
        t.row("uncontended, -Djvmm.lock.checks=true", noneOn.text(), microOn.text(), F.f(microOn.ns - noneOn.ns, 1) + " ns");
        t.row("uncontended, -Djvmm.lock.checks=false", noneOff.text(), microOff.text(),
                F.f(microOff.ns - noneOff.ns, 1) + " ns");
        t.row("contended, 2 threads (time per operation per thread)", c2None.text(), c2Micro.text(),
                F.f(c2Micro.ns - c2None.ns, 1) + " ns");
        t.row("contended, 4 threads (time per operation per thread)", c4None.text(), c4Micro.text(),
                F.f(c4Micro.ns - c4None.ns, 1) + " ns");
        t.row("bare ReentrantLock lock/unlock (floor)", plain.text(), "", "");
        Score nano = scores.get("nanoTime");
        Score rec = scores.get("prometheusTimerRecord");
        Score hist = scores.get("latencyHistogramRecord");
        t.row("one System.nanoTime() (the lock takes two per cycle)", nano.text(), "", "");
        t.row("one LatencyHistogram.record (the observer makes two per cycle)", "", hist.text(), "");
        t.row("one Micrometer Timer.record on the Prometheus registry (not used; for comparison)", "", rec.text(), "");
        double addOn = microOn.ns - noneOn.ns;
        double addOff = microOff.ns - noneOff.ns;
        boolean met = addOn < 100 && addOff < 100;
        s.md("Command: `bench/run` (section `lock`), JMH " + org.openjdk.jmh.util.Version.getPlainVersion() + " from Maven Central, benchmarks in "
                + "`bench/src/main/java/io/jvmm/bench/LockBenchmarks.java`. One operation = `lock(site)`, "
                + "`assertHeld`, `unlock()`, `assertNotHeld`: the lock traffic of one vCPU exit. Average time per "
                + "operation; " + forks + " fork(s), " + warmups + " warm-up and " + iterations + " measured "
                + "iterations of 1 s each, `-XX:+UseSerialGC` as `./vmm` runs. The ± figure is JMH's 99.9% "
                + "confidence interval; with so few iterations it is wide, so read differences smaller than it as "
                + "noise.");
        s.md(t.markdown());
        s.md("Target: metrics add under 100 ns to an uncontended acquire-release. Result: " + F.verdict(met)
                + " (" + F.f(addOn, 1) + " ns with checks on, " + F.f(addOff, 1) + " ns with checks off).");
        s.md("Where the time goes. A bare `ReentrantLock` lock/unlock costs " + F.f(plain.ns, 1) + " ns here; the Big "
                + "Lock's own bookkeeping brings an uncontended cycle to " + F.f(noneOn.ns, 1) + " ns: two "
                + "`System.nanoTime()` calls (" + F.f(nano.ns, 1) + " ns each on this host, so " + F.f(2 * nano.ns, 1)
                + " ns), the holder fields (three volatile writes on acquire, two on release), the site's `LongAdder` counters and the "
                + "racy maxima. The transition checks (`assertHeld`/`assertNotHeld`) are an `isHeldByCurrentThread` "
                + "each and cost nothing measurable (" + F.f(noneOn.ns, 1) + " vs " + F.f(noneOff.ns, 1) + " ns). The "
                + "metrics observer records two fixed-bucket histograms per cycle (wait on acquire, hold on release); "
                + "one `LatencyHistogram.record` costs " + F.f(hist.ns, 1) + " ns (a bucket search and two "
                + "`LongAdder` increments), which accounts for the " + F.f(addOn, 1) + " ns it adds. A Micrometer "
                + "`Timer.record` on the Prometheus registry with the same 8 buckets costs " + F.f(rec.ns, 1)
                + " ns (count, total and windowed-max updates besides the buckets): two of them per cycle is why the "
                + "histograms are the project's own and exported by the service at scrape time. Under "
                + "contention the cycle is dominated by the hand-off between threads (parking and unparking in "
                + "`AbstractQueuedSynchronizer`), and the metrics cost more there because the timers' shared counters "
                + "bounce between the cores.");
        s.target("metrics add under 100 ns to an uncontended acquire-release", met,
                F.f(addOn, 1) + " ns (checks on), " + F.f(addOff, 1) + " ns (checks off)");
        return s;
    }
}
