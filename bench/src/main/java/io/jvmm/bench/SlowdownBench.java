package io.jvmm.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Measurement 5, guest slowdown under monitor load: smp-work's throughput (units per second of
 * the guest's own clock, from its tick lines) with and without {@code info registers -a} every
 * 2 ms through the REST API, for 2 and 8 vCPUs. The two conditions alternate on the same VM.
 */
final class SlowdownBench {
    static final int[] SIZES = {2, 8};
    static final int REPORT_MS = 500;
    private static final Pattern TICK = Pattern.compile("smp-work: tick (\\d+) units (\\d+)");

    private SlowdownBench() {
    }

    /** Ticks seen so far: tick number to units. */
    static java.util.TreeMap<Integer, Integer> ticks(String console) {
        java.util.TreeMap<Integer, Integer> m = new java.util.TreeMap<>();
        Matcher x = TICK.matcher(console);
        while (x.find()) {
            m.put(Integer.parseInt(x.group(1)), Integer.parseInt(x.group(2)));
        }
        return m;
    }

    /** A 2 ms fixed-rate load of info registers -a on its own connection (as the project's MonitorLoad). */
    static final class Load implements AutoCloseable {
        final AtomicBoolean stop = new AtomicBoolean();
        final List<Double> latencies = new ArrayList<>();
        final Thread thread;
        volatile Exception failure;

        Load(int port, String id, int cpus) {
            thread = new Thread(() -> {
                long period = TimeUnit.MILLISECONDS.toNanos(2);
                try (Http http = new Http("127.0.0.1", port)) {
                    String body = "{\"command-line\": \"info registers -a\"}";
                    long next = System.nanoTime();
                    while (!stop.get()) {
                        long t0 = System.nanoTime();
                        Http.Response r = http.post("/vms/" + id + "/hmp", body);
                        latencies.add((System.nanoTime() - t0) / 1e6);
                        if (r.status() != 200) {
                            throw new IllegalStateException("info registers -a answered " + r.status() + ": " + r.body());
                        }
                        MonitorBench.check(Json.stringField(r.body(), "return"), cpus, "jvmm");
                        next += period;
                        long wait = next - System.nanoTime();
                        if (wait > 0) {
                            TimeUnit.NANOSECONDS.sleep(wait);
                        } else {
                            next = System.nanoTime();
                        }
                    }
                } catch (Exception e) {
                    failure = e;
                }
            }, "monitor-load");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void close() throws Exception {
            stop.set(true);
            thread.join(30_000);
            if (failure != null) {
                throw failure;
            }
        }
    }

    static Section run(Env env) throws Exception {
        Section s = new Section("slowdown", "Guest slowdown under monitor load");
        int pairs = env.count(3, 1);
        long phaseMs = env.count(8000, 3000);
        Table t = new Table("vCPUs", "unloaded (units/s)", "with info registers -a every 2 ms (units/s)",
                "throughput loaded/unloaded", "monitor calls/s", "call latency p50", "call latency p99",
                "share of time with a call in flight");
        List<Double> busy = new ArrayList<>();
        List<Double> kept = new ArrayList<>();
        try (VmmService svc = VmmService.start(env, "serve-slowdown", null)) {
            for (int cpus : SIZES) {
                String id = svc.create("smp-work", cpus, "report_ms=" + REPORT_MS);
                try {
                    svc.awaitConsole(id, "CPUs up", Duration.ofSeconds(60));
                    svc.awaitConsole(id, "tick 2 ", Duration.ofSeconds(60));
                    List<Double> idle = new ArrayList<>();
                    List<Double> loaded = new ArrayList<>();
                    List<Double> lat = new ArrayList<>();
                    double calls = 0;
                    double loadedSeconds = 0;
                    for (int p = 0; p < pairs * 2; p++) {
                        boolean withLoad = (p % 2 == 1) == (cpus == SIZES[0]);
                        int k0 = ticks(svc.console(id)).lastKey();
                        Load load = withLoad ? new Load(svc.port, id, cpus) : null;
                        long t0 = System.nanoTime();
                        Thread.sleep(phaseMs);
                        if (load != null) {
                            load.close();
                            calls += load.latencies.size();
                            loadedSeconds += (System.nanoTime() - t0) / 1e9;
                            lat.addAll(load.latencies);
                        }
                        // Only ticks that both started and ended inside the phase count: tick k0 + 1 was
                        // already running when the phase began.
                        var m = ticks(svc.console(id));
                        int k1 = m.lastKey();
                        int units = 0;
                        int n = 0;
                        for (int k = k0 + 2; k <= k1; k++) {
                            Integer u = m.get(k);
                            if (u != null) {
                                units += u;
                                n++;
                            }
                        }
                        if (n == 0) {
                            throw new IllegalStateException("no complete tick in a " + phaseMs + " ms phase");
                        }
                        double rate = units / (n * REPORT_MS / 1000.0);
                        (withLoad ? loaded : idle).add(rate);
                        env.log("slowdown: %d vCPUs, %s: %.1f units/s over %d ticks", cpus,
                                withLoad ? "loaded" : "unloaded", rate, n);
                    }
                    double u = Stats.median(idle);
                    double l = Stats.median(loaded);
                    double[] la = Stats.toArray(lat);
                    // As times (results.json holds times and sizes): guest time per unit of work.
                    s.add("smp-work time per unit under info registers -a every 2 ms vs unloaded, " + cpus + " vCPUs",
                            1000 / l, 1000 / u, "ms");
                    t.row(cpus, F.f(u, 1) + " (" + BringupBench.list(idle) + ")",
                            F.f(l, 1) + " (" + BringupBench.list(loaded) + ")", F.f(l / u, 2),
                            F.f(calls / loadedSeconds, 0), F.f(Stats.percentile(la, 50), 2) + " ms",
                            F.f(Stats.percentile(la, 99), 2) + " ms",
                            F.f(100 * lat.stream().mapToDouble(d -> d).sum() / 1000 / loadedSeconds, 0) + "%");
                    busy.add(lat.stream().mapToDouble(d -> d).sum() / 1000 / loadedSeconds);
                    kept.add(l / u);
                } finally {
                    svc.destroy(id);
                }
            }
        }
        s.md("Command: `bench/run` (section `slowdown`). One `./vmm serve` process; per size one `smp-work` VM "
                + "(`report_ms=" + REPORT_MS + "`). " + pairs + " pairs of " + phaseMs / 1000 + " s phases, unloaded and "
                + "loaded alternating; the load is one client calling `info registers -a` at a fixed 2 ms period "
                + "(a call that overruns is followed at once by the next). Throughput is the guest's own count: units "
                + "(16384 xorshift iterations) per second of its PM-timer clock, summed over the tick lines that fall "
                + "wholly inside a phase. The peer in results.json is the unloaded run, as time per unit.");
        s.md(t.markdown());
        s.md("Where the time goes. A register read stops the whole guest: every vCPU is kicked out of KVM_RUN and "
                + "parks until its registers have been read and the request is done, so guest progress stops for "
                + "roughly the service-side part of each call. The load client asks again 2 ms after the previous "
                + "request began, or at once when a call overran, so a call was in flight "
                + F.f(100 * Stats.min(Stats.toArray(busy)), 0) + "% to " + F.f(100 * Stats.max(Stats.toArray(busy)), 0)
                + "% of the time, and the guest kept " + F.f(100 * Stats.min(Stats.toArray(kept)), 0) + "% to "
                + F.f(100 * Stats.max(Stats.toArray(kept)), 0) + "% of its unloaded throughput. The rest of the loss is "
                + "CPU: on a 2-core host the guest's vCPUs can use both cores, and the client, the HTTP stack and "
                + "the register reads take their share of them while the load runs. With 8 vCPUs each call costs "
                + "more (eight kicks, parks and reads), but the guest was already sharing 2 cores among 8 vCPU "
                + "threads, so the relative loss differs from the 2-vCPU case as the table shows.");
        return s;
    }
}
