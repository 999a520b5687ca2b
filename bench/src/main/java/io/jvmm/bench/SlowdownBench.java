package io.jvmm.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Measurement 5, guest slowdown under monitor load: smp-work's throughput (units per second of
 * the guest's own clock, from its tick lines) unloaded and under a monitor command every 2 ms, on
 * jvmm and on QEMU, the peer, for 2 and 8 vCPUs. jvmm's loads go through the REST API:
 * {@code info registers -a} (each vCPU out of the guest only for its own read, the default) and
 * {@code info registers -a --snapshot} (every vCPU parked for the read); QEMU's is its own
 * {@code info registers -a} through its HMP socket. Both VMs exist at once; while one is measured
 * the other is stopped, and each VM's conditions alternate on it.
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

    /** The command both monitors are compared on. */
    static final String EACH = "info registers -a";
    /** jvmm's loads, by HMP command line: the default all-CPU read and the one-instant snapshot. */
    static final List<String> LOADS = List.of(EACH, "info registers -a --snapshot");

    /** One monitor call: sends a command line, returns the text answer. */
    interface Monitor {
        String call(String commandLine) throws Exception;
    }

    /** A 2 ms fixed-rate load of {@code command} through {@code monitor} (as the project's MonitorLoad). */
    static final class Load implements AutoCloseable {
        final AtomicBoolean stop = new AtomicBoolean();
        final List<Double> latencies = new ArrayList<>();
        final Thread thread;
        volatile Exception failure;

        Load(Monitor monitor, String who, int cpus, String command) {
            thread = new Thread(() -> {
                long period = TimeUnit.MILLISECONDS.toNanos(2);
                try {
                    long next = System.nanoTime();
                    while (!stop.get()) {
                        long t0 = System.nanoTime();
                        String out = monitor.call(command);
                        latencies.add((System.nanoTime() - t0) / 1e6);
                        MonitorBench.check(out, cpus, who);
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
            thread.join(Env.patience(java.time.Duration.ofSeconds(30)).toMillis());
            if (failure != null) {
                throw failure;
            }
        }
    }

    /** One VM running smp-work, with what was measured on it. */
    private abstract static class Side {
        final String who;
        final List<String> loads;
        final List<Double> idle = new ArrayList<>();
        final List<List<Double>> loaded = new ArrayList<>();
        final List<List<Double>> latencies = new ArrayList<>();
        final double[] calls;
        final double[] loadedSeconds;

        Side(String who, List<String> loads) {
            this.who = who;
            this.loads = loads;
            for (int i = 0; i < loads.size(); i++) {
                loaded.add(new ArrayList<>());
                latencies.add(new ArrayList<>());
            }
            calls = new double[loads.size()];
            loadedSeconds = new double[loads.size()];
        }

        abstract String console() throws Exception;

        /** A monitor command from the bench itself (stop, cont), not during a load. */
        abstract void control(String commandLine) throws Exception;

        /** Runs {@code body} with a monitor for a load thread. */
        abstract void withLoadMonitor(ThrowingConsumer<Monitor> body) throws Exception;

        double unloaded() {
            return Stats.median(idle);
        }

        double throughput(int load) {
            return Stats.median(loaded.get(load));
        }

        double callsPerSecond(int load) {
            return calls[load] / loadedSeconds[load];
        }

        /** Guest progress lost per call: the throughput lost, in ms of unloaded guest time, per call. */
        double lostMsPerCall(int load) {
            return (1 - throughput(load) / unloaded()) * 1000 / callsPerSecond(load);
        }
    }

    interface ThrowingConsumer<T> {
        void accept(T t) throws Exception;
    }

    /** How long each side runs under each of its loads, unmeasured, before the rounds. */
    static final long WARMUP_MS = 6000;

    /** Lets {@code side}'s VM run and stops {@code other}'s, so that only one of them uses the cores. */
    private static void runAlone(Side side, Side other) throws Exception {
        other.control("stop");
        side.control("cont");
    }

    /** Runs {@code side}'s load {@code load} for {@code ms}; returns its calls' latencies (ms). */
    private static List<Double> underLoad(Side side, int cpus, int load, long ms) throws Exception {
        List<Double> out = new ArrayList<>();
        side.withLoadMonitor(monitor -> {
            Load l = new Load(monitor, side.who, cpus, side.loads.get(load));
            try {
                Thread.sleep(ms);
            } finally {
                l.close();
            }
            out.addAll(l.latencies);
        });
        return out;
    }

    /** One phase on {@code side}: unloaded ({@code load} -1) or under one of its loads. */
    private static void phase(Env env, Side side, int cpus, int load, long phaseMs) throws Exception {
        int k0 = ticks(side.console()).lastKey();
        long t0 = System.nanoTime();
        if (load < 0) {
            Thread.sleep(phaseMs);
        } else {
            List<Double> lat = underLoad(side, cpus, load, phaseMs);
            side.calls[load] += lat.size();
            side.latencies.get(load).addAll(lat);
            side.loadedSeconds[load] += (System.nanoTime() - t0) / 1e9;
        }
        double rate = rate(side.console(), k0, phaseMs);
        (load < 0 ? side.idle : side.loaded.get(load)).add(rate);
        env.log("slowdown: %d vCPUs, %s, %s: %.1f units/s", cpus, side.who, load < 0 ? "unloaded" : side.loads.get(load),
                rate);
    }

    static Section run(Env env) throws Exception {
        Section s = new Section("slowdown", "Guest slowdown under monitor load");
        int rounds = env.count(3, 1);
        long phaseMs = env.count(8000, 3000);
        Table t = new Table("vCPUs", "VMM", "load (every 2 ms)", "unloaded (units/s)", "loaded (units/s)",
                "throughput loaded/unloaded", "monitor calls/s", "guest ms lost per call", "call latency p50",
                "call latency p99", "share of time with a call in flight");
        List<String> kept = new ArrayList<>();
        List<String> perCall = new ArrayList<>();
        boolean keptMet = true;
        boolean perCallMet = true;
        try (VmmService svc = VmmService.start(env, "serve-slowdown", null)) {
            for (int cpus : SIZES) {
                String id = svc.create("smp-work", cpus, "report_ms=" + REPORT_MS);
                Path sock = QemuVm.monitorSocket("qemu-slowdown-" + cpus);
                try (QemuVm q = new QemuVm(QemuVm.command(env.guest("smp-work"), cpus, "report_ms=" + REPORT_MS, sock),
                        env.work.resolve("qemu-slowdown-" + cpus + ".stderr").toAbsolutePath())) {
                    q.connectMonitor(sock, Duration.ofSeconds(30));
                    svc.awaitConsole(id, "tick 2 ", Duration.ofSeconds(60));
                    q.awaitSerial("tick 2 ", Duration.ofSeconds(60));
                    Side jvmm = new Side("jvmm", LOADS) {
                        @Override
                        String console() throws Exception {
                            return svc.console(id);
                        }

                        @Override
                        void control(String commandLine) throws Exception {
                            svc.hmp(id, commandLine);
                        }

                        @Override
                        void withLoadMonitor(ThrowingConsumer<Monitor> body) throws Exception {
                            try (Http http = new Http("127.0.0.1", svc.port)) {
                                body.accept(command -> VmmService.hmp(http, id, command));
                            }
                        }
                    };
                    Side qemu = new Side("QEMU", List.of(EACH)) {
                        @Override
                        String console() {
                            return q.serial();
                        }

                        @Override
                        void control(String commandLine) throws Exception {
                            q.hmp(commandLine);
                        }

                        @Override
                        void withLoadMonitor(ThrowingConsumer<Monitor> body) throws Exception {
                            body.accept(q::hmp);
                        }
                    };
                    // Warm each side up under each of its loads, unmeasured: the service's JIT
                    // compiles the request path over the first thousands of calls (section Monitor
                    // latency), and a cold phase would charge its interpretation to the guest.
                    for (Side side : List.of(jvmm, qemu)) {
                        runAlone(side, side == jvmm ? qemu : jvmm);
                        for (int i = 0; i < side.loads.size(); i++) {
                            underLoad(side, cpus, i, WARMUP_MS);
                        }
                    }
                    // Each round: one VM's phases (unloaded, then each load, in an order that rotates
                    // from round to round) with the other stopped, then the other's; which VM goes
                    // first alternates.
                    for (int r = 0; r < rounds; r++) {
                        for (Side side : r % 2 == 0 ? List.of(jvmm, qemu) : List.of(qemu, jvmm)) {
                            runAlone(side, side == jvmm ? qemu : jvmm);
                            for (int k = 0; k <= side.loads.size(); k++) {
                                phase(env, side, cpus, (k + r) % (side.loads.size() + 1) - 1, phaseMs);
                            }
                        }
                    }
                    for (Side side : List.of(jvmm, qemu)) {
                        for (int i = 0; i < side.loads.size(); i++) {
                            double u = side.unloaded();
                            double l = side.throughput(i);
                            List<Double> lat = side.latencies.get(i);
                            double[] la = Stats.toArray(lat);
                            t.row(cpus, side.who, "`" + side.loads.get(i) + "`", F.f(u, 1) + " (" + BringupBench.list(side.idle)
                                    + ")", F.f(l, 1) + " (" + BringupBench.list(side.loaded.get(i)) + ")", F.f(l / u, 2),
                                    F.f(side.callsPerSecond(i), 0), F.f(side.lostMsPerCall(i), 2),
                                    F.f(Stats.percentile(la, 50), 2) + " ms", F.f(Stats.percentile(la, 99), 2) + " ms",
                                    F.f(100 * lat.stream().mapToDouble(d -> d).sum() / 1000 / side.loadedSeconds[i], 0)
                                            + "%");
                        }
                    }
                    // As times (results.json holds times and sizes): guest time per unit of work.
                    for (int i = 0; i < LOADS.size(); i++) {
                        s.add("smp-work time per unit under " + LOADS.get(i) + " every 2 ms vs unloaded, " + cpus
                                + " vCPUs", 1000 / jvmm.throughput(i), 1000 / jvmm.unloaded(), "ms");
                    }
                    s.add("smp-work time per unit under QEMU's " + EACH + " every 2 ms vs unloaded, " + cpus + " vCPUs",
                            1000 / qemu.throughput(0), 1000 / qemu.unloaded(), "ms");
                    double ours = jvmm.lostMsPerCall(0);
                    double peer = qemu.lostMsPerCall(0);
                    s.add("guest ms lost per " + EACH + " call, " + cpus + " vCPUs (jvmm REST vs QEMU HMP)", ours, peer,
                            "ms");
                    double keptShare = jvmm.throughput(0) / jvmm.unloaded();
                    keptMet &= keptShare >= 0.9;
                    kept.add(cpus + " vCPUs: kept " + F.f(100 * keptShare, 0) + "%");
                    if (peer > 0) {
                        perCallMet &= ours / peer <= 0.5;
                        perCall.add(cpus + " vCPUs: " + F.f(ours, 2) + " vs " + F.f(peer, 2) + " ms, ratio "
                                + F.ratio(ours / peer));
                    } else {
                        perCallMet = false;
                        perCall.add(cpus + " vCPUs: " + F.f(ours, 2) + " ms vs QEMU none measurable ("
                                + F.f(peer, 2) + " ms), no ratio");
                    }
                } finally {
                    svc.destroy(id);
                    QemuVm.deleteQuietly(sock);
                }
            }
        }
        s.md("Command: `bench/run` (section `slowdown`). One `./vmm serve` process; per size one `smp-work` VM "
                + "on jvmm and one on QEMU (`report_ms=" + REPORT_MS + "`, HMP on a Unix socket), both at once, "
                + "the one not being measured stopped. First each VM runs " + WARMUP_MS / 1000 + " s under each "
                + "of its loads, unmeasured (the service's JIT compiles the request path meanwhile). Then "
                + rounds + " rounds; in each, one VM's phases of "
                + phaseMs / 1000 + " s (unloaded and under each of its loads, in an order that rotates), then the "
                + "other's, which VM first alternating. A load is one client calling the command at a fixed 2 ms "
                + "period (a call that overruns is followed at once by the next); every answer is checked to hold "
                + "one `CPU#` block per vCPU. Throughput is the guest's own count: units (16384 xorshift "
                + "iterations) per second of its PM-timer clock, summed over the tick lines that fall wholly inside "
                + "a phase. Guest ms lost per call = (1 - loaded/unloaded) x 1000 / calls per second. In "
                + "results.json the peer of a throughput row is the same VM unloaded, as time per unit, and the "
                + "peer of the ms lost per call is QEMU's.");
        s.md(t.markdown());
        s.md("Where the time goes. jvmm's `info registers -a` takes each vCPU out of the guest only for its own "
                + "read: a kick, nine KVM_GET_* ioctls on its own thread as KVM_RUN returns, and straight back in, "
                + "without taking the Big Lock; the other vCPUs keep running meanwhile. `--snapshot` parks every "
                + "vCPU until the last "
                + "read is done, so each vCPU also waits for the slowest one's kick, read and wake-up: on a host "
                + "with fewer cores than vCPUs, one waiting for a time slice holds up all of them. QEMU's "
                + "`info registers -a` synchronizes one vCPU after another from its main loop (`run_on_cpu` for "
                + "each: a kick, the KVM_GET_* ioctls, the vCPU back in), so its calls take longer and come less "
                + "often at 8 vCPUs. The rest of the loss is CPU: on a 2-core host the guest's vCPUs can use both "
                + "cores, and the client, the monitor's own threads and the register reads take their share of "
                + "them while the load runs.");
        s.md("Targets: the guest keeps at least 90 % of its throughput under `info registers -a` every 2 ms, at 2 "
                + "and 8 vCPUs: " + F.verdict(keptMet) + " (" + String.join("; ", kept) + "). Guest progress lost "
                + "per call at most half of QEMU's, at 2 and 8 vCPUs: " + F.verdict(perCallMet) + " ("
                + String.join("; ", perCall) + ").");
        s.target("guest throughput lost under info registers -a every 2 ms <= 10 %", keptMet, String.join("; ", kept));
        s.target("guest progress lost per info registers -a call, jvmm / QEMU <= 0.5", perCallMet,
                String.join("; ", perCall));
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
