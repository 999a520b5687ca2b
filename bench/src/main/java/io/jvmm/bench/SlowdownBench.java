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
 * the guest's own clock, from its tick lines) unloaded, under {@code info registers -a} every 2 ms
 * through the REST API (each vCPU out of the guest only for its own read, the default), and
 * under {@code info registers -a --snapshot} (every vCPU parked for the read), for 2 and 8 vCPUs.
 * The three conditions alternate on the same VM.
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

    /** The loads, by HMP command line: the default all-CPU read and the one-instant snapshot. */
    static final List<String> LOADS = List.of("info registers -a", "info registers -a --snapshot");

    /** A 2 ms fixed-rate load of {@code command} on its own connection (as the project's MonitorLoad). */
    static final class Load implements AutoCloseable {
        final AtomicBoolean stop = new AtomicBoolean();
        final List<Double> latencies = new ArrayList<>();
        final Thread thread;
        volatile Exception failure;

        Load(int port, String id, int cpus, String command) {
            thread = new Thread(() -> {
                long period = TimeUnit.MILLISECONDS.toNanos(2);
                try (Http http = new Http("127.0.0.1", port)) {
                    String body = "{\"command-line\": " + Json.quote(command) + "}";
                    long next = System.nanoTime();
                    while (!stop.get()) {
                        long t0 = System.nanoTime();
                        Http.Response r = http.post("/vms/" + id + "/hmp", body);
                        latencies.add((System.nanoTime() - t0) / 1e6);
                        if (r.status() != 200) {
                            throw new IllegalStateException(command + " answered " + r.status() + ": " + r.body());
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
        int rounds = env.count(3, 1);
        long phaseMs = env.count(8000, 3000);
        Table t = new Table("vCPUs", "load (every 2 ms)", "unloaded (units/s)", "loaded (units/s)",
                "throughput loaded/unloaded", "monitor calls/s", "guest ms lost per call", "call latency p50",
                "call latency p99", "share of time with a call in flight");
        List<String> verdicts = new ArrayList<>();
        boolean allMet = true;
        try (VmmService svc = VmmService.start(env, "serve-slowdown", null)) {
            for (int cpus : SIZES) {
                String id = svc.create("smp-work", cpus, "report_ms=" + REPORT_MS);
                try {
                    svc.awaitConsole(id, "CPUs up", Duration.ofSeconds(60));
                    svc.awaitConsole(id, "tick 2 ", Duration.ofSeconds(60));
                    List<Double> idle = new ArrayList<>();
                    List<List<Double>> loaded = new ArrayList<>();
                    List<List<Double>> lat = new ArrayList<>();
                    double[] calls = new double[LOADS.size()];
                    double[] loadedSeconds = new double[LOADS.size()];
                    for (int i = 0; i < LOADS.size(); i++) {
                        loaded.add(new ArrayList<>());
                        lat.add(new ArrayList<>());
                    }
                    // Each round: unloaded, then each load, in an order that rotates from round to round.
                    for (int r = 0; r < rounds; r++) {
                        for (int k = 0; k <= LOADS.size(); k++) {
                            int which = (k + r) % (LOADS.size() + 1) - 1; // -1: unloaded
                            int k0 = ticks(svc.console(id)).lastKey();
                            Load load = which < 0 ? null : new Load(svc.port, id, cpus, LOADS.get(which));
                            long t0 = System.nanoTime();
                            Thread.sleep(phaseMs);
                            if (load != null) {
                                load.close();
                                calls[which] += load.latencies.size();
                                loadedSeconds[which] += (System.nanoTime() - t0) / 1e9;
                                lat.get(which).addAll(load.latencies);
                            }
                            double rate = rate(svc.console(id), k0, phaseMs);
                            (which < 0 ? idle : loaded.get(which)).add(rate);
                            env.log("slowdown: %d vCPUs, %s: %.1f units/s", cpus,
                                    which < 0 ? "unloaded" : LOADS.get(which), rate);
                        }
                    }
                    double u = Stats.median(idle);
                    for (int i = 0; i < LOADS.size(); i++) {
                        double l = Stats.median(loaded.get(i));
                        double[] la = Stats.toArray(lat.get(i));
                        double perSecond = calls[i] / loadedSeconds[i];
                        // Guest progress lost per call: the throughput lost, in ms of unloaded guest time, per call.
                        double lostMs = (1 - l / u) * 1000 / perSecond;
                        // As times (results.json holds times and sizes): guest time per unit of work.
                        s.add("smp-work time per unit under " + LOADS.get(i) + " every 2 ms vs unloaded, " + cpus
                                + " vCPUs", 1000 / l, 1000 / u, "ms");
                        t.row(cpus, "`" + LOADS.get(i) + "`", F.f(u, 1) + " (" + BringupBench.list(idle) + ")",
                                F.f(l, 1) + " (" + BringupBench.list(loaded.get(i)) + ")", F.f(l / u, 2),
                                F.f(perSecond, 0), F.f(lostMs, 2), F.f(Stats.percentile(la, 50), 2) + " ms",
                                F.f(Stats.percentile(la, 99), 2) + " ms",
                                F.f(100 * lat.get(i).stream().mapToDouble(d -> d).sum() / 1000 / loadedSeconds[i], 0)
                                        + "%");
                        if (i == 0) {
                            boolean met = l / u >= 0.9;
                            allMet &= met;
                            verdicts.add(cpus + " vCPUs: kept " + F.f(100 * l / u, 0) + "%");
                        }
                    }
                } finally {
                    svc.destroy(id);
                }
            }
        }
        s.md("Command: `bench/run` (section `slowdown`). One `./vmm serve` process; per size one `smp-work` VM "
                + "(`report_ms=" + REPORT_MS + "`). " + rounds + " rounds of " + phaseMs / 1000 + " s phases: unloaded, "
                + "`info registers -a` and `info registers -a --snapshot`, in an order that rotates; a load is one "
                + "client calling the command at a fixed 2 ms period (a call that overruns is followed at once by "
                + "the next). Throughput is the guest's own count: units (16384 xorshift iterations) per second of "
                + "its PM-timer clock, summed over the tick lines that fall wholly inside a phase. Guest ms lost per "
                + "call = (1 - loaded/unloaded) x 1000 / calls per second. The peer in results.json is the unloaded "
                + "run, as time per unit.");
        s.md(t.markdown());
        s.md("Where the time goes. `info registers -a` takes each vCPU out of the guest only for its own read: "
                + "a kick, one Big Lock acquisition on its own thread, nine KVM_GET_* ioctls, and straight back in; "
                + "the other vCPUs keep running meanwhile. `--snapshot` parks every vCPU until the last read is "
                + "done, so each vCPU also waits for the slowest one's kick, read and wake-up: on a host with fewer "
                + "cores than vCPUs, one waiting for a time slice holds up all of them. The rest of the loss is CPU: "
                + "on a 2-core host the guest's vCPUs can use both cores, and the client, the HTTP stack and the "
                + "register reads take their share of them while the load runs.");
        s.md("Target: the guest keeps at least 90 % of its throughput under `info registers -a` every 2 ms, at 2 "
                + "and 8 vCPUs. Result: " + F.verdict(allMet) + " (" + String.join("; ", verdicts) + ").");
        s.target("guest throughput lost under info registers -a every 2 ms <= 10 %", allMet, String.join("; ", verdicts));
        return s;
    }

    /** Units per second over the ticks that began and ended after tick {@code k0} was the last one seen. */
    static double rate(String console, int k0, long phaseMs) {
        // Only ticks that both started and ended inside the phase count: tick k0 + 1 was already
        // running when the phase began.
        var m = ticks(console);
        int units = 0;
        int n = 0;
        for (int k = k0 + 2; k <= m.lastKey(); k++) {
            Integer u = m.get(k);
            if (u != null) {
                units += u;
                n++;
            }
        }
        if (n == 0) {
            throw new IllegalStateException("no complete tick in a " + phaseMs + " ms phase");
        }
        return units / (n * REPORT_MS / 1000.0);
    }
}
