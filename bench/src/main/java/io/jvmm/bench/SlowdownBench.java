package io.jvmm.bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
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
        /** The CPU time the client thread used, calls and answer checks, once it ended. */
        volatile long clientCpuNs;

        Load(Monitor monitor, String who, int cpus, String command) {
            thread = new Thread(() -> {
                long period = TimeUnit.MILLISECONDS.toNanos(2);
                long cpu0 = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
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
                } finally {
                    clientCpuNs = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - cpu0;
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
        /** The CPU the VMM's threads used in the unloaded phases, over {@link #idleSeconds}. */
        ThreadCpu idleCpu;
        double idleSeconds;
        /** The same under each load, over {@link #loadedSeconds}. */
        final ThreadCpu[] loadedCpu;
        /** The CPU the load's client thread used under each load. */
        final double[] clientCpuNs;
        final Predicate<String> vcpuThreads;

        Side(String who, List<String> loads, Predicate<String> vcpuThreads) {
            this.who = who;
            this.loads = loads;
            this.vcpuThreads = vcpuThreads;
            for (int i = 0; i < loads.size(); i++) {
                loaded.add(new ArrayList<>());
                latencies.add(new ArrayList<>());
            }
            calls = new double[loads.size()];
            loadedSeconds = new double[loads.size()];
            idleCpu = ThreadCpu.none(vcpuThreads);
            loadedCpu = new ThreadCpu[loads.size()];
            java.util.Arrays.fill(loadedCpu, ThreadCpu.none(vcpuThreads));
            clientCpuNs = new double[loads.size()];
        }

        /** The VMM's process: the service, or QEMU. */
        abstract long pid();

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

        /** ms of CPU per call of the client thread. */
        double clientMsPerCall(int load) {
            return clientCpuNs[load] / 1e6 / calls[load];
        }

        /** ms of CPU per call of the VMM's threads other than the vCPUs, less what they use unloaded. */
        double vmmMsPerCall(int load) {
            return vmmMsPerCallByGroup(load).values().stream().mapToDouble(Double::doubleValue).sum();
        }

        /**
         * {@link #vmmMsPerCall} by thread group: every group seen loaded or unloaded, each less what it
         * used unloaded for as long.
         */
        Map<String, Double> vmmMsPerCallByGroup(int load) {
            Map<String, Long> idle = idleCpu.otherByGroup();
            Map<String, Long> loadedNs = loadedCpu[load].otherByGroup();
            java.util.Set<String> groups = new java.util.TreeSet<>(idle.keySet());
            groups.addAll(loadedNs.keySet());
            Map<String, Double> out = new java.util.TreeMap<>();
            for (String g : groups) {
                double base = idleSeconds > 0 ? idle.getOrDefault(g, 0L) / idleSeconds * loadedSeconds[load] : 0;
                out.put(g, (loadedNs.getOrDefault(g, 0L) - base) / 1e6 / calls[load]);
            }
            return out;
        }

        /** Cores the vCPU threads kept busy, unloaded ({@code load} -1) or under a load. */
        double vcpuCores(int load) {
            return load < 0 ? idleCpu.vcpuNs() / 1e9 / idleSeconds
                    : loadedCpu[load].vcpuNs() / 1e9 / loadedSeconds[load];
        }
    }

    interface ThrowingConsumer<T> {
        void accept(T t) throws Exception;
    }

    /** How long each side runs under each of its loads, unmeasured, before the rounds. */
    static final long WARMUP_MS = 6000;

    /**
     * Lets {@code side}'s VM run and stops {@code other}'s, so that only one of them uses the cores.
     * smp-work keeps its tick deadline on the PM timer, which runs on while a VM is stopped, and
     * catches up: a VM let run again first prints a tick line for every period it was stopped, each
     * after a moment's work (a catch-up of several seconds at 8 vCPUs after 16 s stopped, measured
     * by hand: ticks of 0-5 units where 10 is the pace). Those lines would count as ticks of the
     * next phase, so the phase begins once two ticks come a period apart again.
     */
    private static void runAlone(Side side, Side other) throws Exception {
        other.control("stop");
        side.control("cont");
        awaitOwnPace(side);
    }

    /** Waits until {@code side}'s guest prints two ticks at least 0.7 of a period apart (see runAlone). */
    private static void awaitOwnPace(Side side) throws Exception {
        Duration patience = Env.patience(Duration.ofSeconds(60));
        long deadline = System.nanoTime() + patience.toNanos();
        int last = ticks(side.console()).lastKey();
        long lastAt = System.nanoTime();
        while (System.nanoTime() < deadline) {
            Thread.sleep(50);
            int now = ticks(side.console()).lastKey();
            if (now != last) {
                long at = System.nanoTime();
                if (now == last + 1 && at - lastAt >= REPORT_MS * 700_000L) {
                    return;
                }
                last = now;
                lastAt = at;
            }
        }
        throw new IllegalStateException(side.who + "'s guest did not tick at its own pace again within "
                + patience.toSeconds() + " s of being let run");
    }

    /** What one load did: its calls' latencies (ms) and its client thread's CPU time. */
    private record LoadRun(List<Double> latencies, long clientCpuNs) {
    }

    /** Runs {@code side}'s load {@code load} for {@code ms}. */
    private static LoadRun underLoad(Side side, int cpus, int load, long ms) throws Exception {
        LoadRun[] out = new LoadRun[1];
        side.withLoadMonitor(monitor -> {
            Load l = new Load(monitor, side.who, cpus, side.loads.get(load));
            try {
                Thread.sleep(ms);
            } finally {
                l.close();
            }
            out[0] = new LoadRun(List.copyOf(l.latencies), l.clientCpuNs);
        });
        return out[0];
    }

    /** One phase on {@code side}: unloaded ({@code load} -1) or under one of its loads. */
    private static void phase(Env env, Side side, int cpus, int load, long phaseMs) throws Exception {
        int k0 = ticks(side.console()).lastKey();
        ThreadCpu cpu0 = ThreadCpu.of(side.pid(), side.vcpuThreads);
        long t0 = System.nanoTime();
        if (load < 0) {
            Thread.sleep(phaseMs);
            side.idleCpu = side.idleCpu.plus(ThreadCpu.of(side.pid(), side.vcpuThreads).minus(cpu0));
            side.idleSeconds += (System.nanoTime() - t0) / 1e9;
        } else {
            LoadRun run = underLoad(side, cpus, load, phaseMs);
            side.loadedCpu[load] = side.loadedCpu[load].plus(ThreadCpu.of(side.pid(), side.vcpuThreads).minus(cpu0));
            side.calls[load] += run.latencies().size();
            side.latencies.get(load).addAll(run.latencies());
            side.clientCpuNs[load] += run.clientCpuNs();
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
        Table cpu = new Table("vCPUs", "VMM", "load (every 2 ms)", "guest ms lost per call", "client CPU per call",
                "VMM's other threads' CPU per call", "CPU per call outside the vCPU threads",
                "vCPU threads' cores, unloaded", "vCPU threads' cores, loaded");
        List<String> cpuSaid = new ArrayList<>();
        List<String> warmups = new ArrayList<>();
        Map<Integer, Map<String, Double>> serviceThreads = new java.util.LinkedHashMap<>();
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
                    Side jvmm = new Side("jvmm", LOADS, ThreadCpu.JVMM_VCPU) {
                        @Override
                        long pid() {
                            return svc.pid();
                        }

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
                    Side qemu = new Side("QEMU", List.of(EACH), ThreadCpu.QEMU_VCPU) {
                        @Override
                        long pid() {
                            return q.pid();
                        }

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
                    // latency), and a cold phase would charge its interpretation and its compilers'
                    // CPU to the guest. jvmm's loads go on until its JIT compilers are quiet.
                    for (Side side : List.of(jvmm, qemu)) {
                        runAlone(side, side == jvmm ? qemu : jvmm);
                        for (int i = 0; i < side.loads.size(); i++) {
                            underLoad(side, cpus, i, WARMUP_MS);
                        }
                    }
                    runAlone(jvmm, qemu);
                    warmups.add(cpus + " vCPUs: " + JitWarmup.untilQuiet(env, jvmm.pid(), "slowdown: " + cpus + " vCPUs",
                            (w, ms) -> underLoad(jvmm, cpus, w % jvmm.loads.size(), ms)));
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
                            cpu.row(cpus, side.who, "`" + side.loads.get(i) + "`", F.f(side.lostMsPerCall(i), 2),
                                    F.f(side.clientMsPerCall(i), 3) + " ms", F.f(side.vmmMsPerCall(i), 3) + " ms",
                                    F.f(side.clientMsPerCall(i) + side.vmmMsPerCall(i), 3) + " ms",
                                    F.f(side.vcpuCores(-1), 2), F.f(side.vcpuCores(i), 2));
                        }
                    }
                    serviceThreads.put(cpus, jvmm.vmmMsPerCallByGroup(0));
                    s.add("host CPU per " + EACH + " call outside the vCPU threads (client and VMM), " + cpus
                            + " vCPUs (jvmm REST vs QEMU HMP)", jvmm.clientMsPerCall(0) + jvmm.vmmMsPerCall(0),
                            qemu.clientMsPerCall(0) + qemu.vmmMsPerCall(0), "ms");
                    cpuSaid.add(cpus + " vCPUs, jvmm " + F.f(jvmm.clientMsPerCall(0) + jvmm.vmmMsPerCall(0), 2)
                            + " ms (the client " + F.f(jvmm.clientMsPerCall(0), 2) + ", the service "
                            + F.f(jvmm.vmmMsPerCall(0), 2) + ") against a loss of " + F.f(jvmm.lostMsPerCall(0), 2)
                            + " ms, QEMU " + F.f(qemu.clientMsPerCall(0) + qemu.vmmMsPerCall(0), 2) + " ms (the client "
                            + F.f(qemu.clientMsPerCall(0), 2) + ", QEMU " + F.f(qemu.vmmMsPerCall(0), 2)
                            + ") against " + F.f(qemu.lostMsPerCall(0), 2) + " ms");
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
                + "of its loads, unmeasured (the service's JIT compiles the request path meanwhile), and jvmm's "
                + "loads go on, in turn, " + JitWarmup.said() + " (" + String.join("; ", warmups) + "). A VM let run after the other's phases first catches up on the tick lines it missed while "
                + "stopped (smp-work keeps its deadline on the PM timer), so a phase starts once two of its ticks "
                + "come a period apart again. Then "
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
        s.md(cpu.markdown());
        s.md("The service's threads (not the vCPUs), CPU per `" + EACH + "` call by thread group, less what "
                + "they use unloaded (groups under 0.005 ms per call at every size left out):\n\n"
                + threadTable(serviceThreads));
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
                + "them while the load runs. The second table counts that CPU, per thread from "
                + "/proc/PID/task/TID/schedstat (the VMM's threads, less what they use unloaded) and the client "
                + "thread's own CPU time: a call costs the host, outside the vCPU threads, "
                + String.join("; ", cpuSaid) + ". The third splits the service's part by thread: the Vert.x event "
                + "loop parses the HTTP request, hands it to a worker and writes the JSON answer, as it does for "
                + "any request; the worker (`executor-thread`) queues the reads, waits for the answers and formats "
                + "the text; the rest is the JVM's own (its JIT compilers, the garbage collector's VM thread). "
                + "QEMU's HMP is a line on a Unix socket, read and answered on its main loop. The vCPU threads' "
                + "own CPU (the last two columns of the second table) includes the guest's work, so a read's kick "
                + "and ioctls cannot be told from it.");
        s.md("Targets: the guest keeps at least 90 % of its throughput under `info registers -a` every 2 ms, at 2 "
                + "and 8 vCPUs: " + F.verdict(keptMet) + " (" + String.join("; ", kept) + "). Guest progress lost "
                + "per call at most half of QEMU's, at 2 and 8 vCPUs: " + F.verdict(perCallMet) + " ("
                + String.join("; ", perCall) + ").");
        s.target("guest throughput lost under info registers -a every 2 ms <= 10 %", keptMet, String.join("; ", kept));
        s.target("guest progress lost per info registers -a call, jvmm / QEMU <= 0.5", perCallMet,
                String.join("; ", perCall));
        return s;
    }

    /** Thread groups as rows, sizes as columns, largest at the first size first. */
    private static String threadTable(Map<Integer, Map<String, Double>> bySize) {
        List<String> head = new ArrayList<>(List.of("thread group"));
        bySize.keySet().forEach(n -> head.add(n + " vCPUs"));
        Table t = new Table(head.toArray(String[]::new));
        Map<String, Double> first = bySize.values().iterator().next();
        java.util.Set<String> groups = new java.util.TreeSet<>();
        bySize.values().forEach(m -> groups.addAll(m.keySet()));
        groups.stream().filter(g -> bySize.values().stream().anyMatch(m -> m.getOrDefault(g, 0.0) >= 0.005))
                .sorted((a, b) -> Double.compare(first.getOrDefault(b, 0.0), first.getOrDefault(a, 0.0)))
                .forEach(g -> {
                    List<String> row = new ArrayList<>(List.of("`" + g + "`"));
                    bySize.values().forEach(m -> row.add(F.f(m.getOrDefault(g, 0.0), 3) + " ms"));
                    t.row(row.toArray());
                });
        return t.markdown();
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
