package io.jvmm.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The service with no VM, which needs no KVM: the REST floor ({@code GET /vms}, a request that
 * touches no vCPU) against the JDK's own HTTP server answering the same body ({@link MinimalServer}),
 * the same keep-alive client in the same run, blocks alternating; the time from process start
 * to the first answer; and the resident memory of both idle processes.
 */
final class ServiceBench {
    private ServiceBench() {
    }

    static Section run(Env env) throws Exception {
        Section s = new Section("service", "Service floor and footprint, no VM");
        int samples = env.count(3000, 400);
        int blocks = env.count(6, 2);
        int warmup = env.count(3000, 300);
        long gapMicros = 1000;
        long settleMs = env.count(10_000, 3000);
        try (VmmService svc = VmmService.start(env, "serve-floor", null);
             Peer peer = Peer.start(env)) {
            Idle first = settle(svc, settleMs);
            long peerIdleKb = Smaps.totalRssKb(Smaps.read(peer.process.pid()));
            env.log("service: idle resident memory: jvmm %d KiB, minimal server %d KiB", first.kb, peerIdleKb);
            // Four kinds of request, in blocks whose order rotates: the floor on each server, and the
            // hand-off A/B on jvmm (the same 404 answered on the I/O thread and on a worker).
            List<Probe> probes = List.of(new Probe("jvmm GET /vms", svc.http, "/vms", 200),
                    new Probe("JDK GET /vms", peer.http, "/vms", 200),
                    new Probe("jvmm GET /vms/none (I/O thread, 404)", svc.http, "/vms/none", 404),
                    new Probe("jvmm GET /vms/none/console (worker, 404)", svc.http, "/vms/none/console", 404));
            for (int i = 0; i < warmup; i++) {
                for (Probe pr : probes) {
                    pr.call();
                }
                sleepMicros(gapMicros);
            }
            for (int b = 0; b < blocks; b++) {
                for (int k = 0; k < probes.size(); k++) {
                    Probe pr = probes.get((k + b) % probes.size());
                    for (int i = 0; i < samples / blocks; i++) {
                        pr.nanos.add((double) pr.call());
                        sleepMicros(gapMicros);
                    }
                }
            }
            // The same floor with the monitor bench's spacing: after 5 ms of quiet the host's cores
            // are idle, and every thread a request needs waits for its core to wake.
            List<Probe> quiet = List.of(new Probe("jvmm GET /vms, 5 ms apart", svc.http, "/vms", 200),
                    new Probe("JDK GET /vms, 5 ms apart", peer.http, "/vms", 200));
            for (int b = 0; b < blocks; b++) {
                for (int k = 0; k < quiet.size(); k++) {
                    Probe pr = quiet.get((k + b) % quiet.size());
                    for (int i = 0; i < samples / blocks / 3; i++) {
                        pr.nanos.add((double) pr.call());
                        sleepMicros(QUIET_GAP_MICROS);
                    }
                }
            }
            double quietOurs = Stats.median(quiet.get(0).nanos);
            double quietTheirs = Stats.median(quiet.get(1).nanos);
            List<Double> ours = probes.get(0).nanos;
            List<Double> theirs = probes.get(1).nanos;
            double ioP50 = Stats.median(probes.get(2).nanos);
            double workerP50 = Stats.median(probes.get(3).nanos);
            Thread.sleep(1000);
            long svcAfterKb = Smaps.totalRssKb(Smaps.read(svc.pid()));
            Thread.sleep(settleMs);
            long svcLaterKb = Smaps.totalRssKb(Smaps.read(svc.pid()));
            // One start's idle memory and start-up vary by several MiB and hundreds of ms with what
            // the JIT and the host did meanwhile: two more starts, the median of the three.
            List<Idle> starts = List.of(first, idle(env, "serve-floor-2", settleMs, null),
                    idle(env, "serve-floor-3", settleMs, null));
            long svcIdleKb = (long) Stats.median(starts.stream().map(i -> (double) i.kb).toList());
            double svcStartMs = Stats.median(starts.stream().map(i -> i.startMs).toList());
            String spread = starts.stream().map(i -> MemoryBench.mib(i.kb)).toList().toString();
            double[] o = Stats.toArray(ours);
            double[] p = Stats.toArray(theirs);
            double op50 = Stats.median(o);
            double op99 = Stats.percentile(o, 99);
            double pp50 = Stats.median(p);
            double pp99 = Stats.percentile(p, 99);
            s.add("REST floor p50, GET /vms (jvmm service vs the JDK's HTTP server)", op50 / 1e6, pp50 / 1e6, "ms");
            s.add("REST floor p99, GET /vms (jvmm service vs the JDK's HTTP server)", op99 / 1e6, pp99 / 1e6, "ms");
            s.add("resident memory, idle (./vmm serve vs the JDK's HTTP server)", svcIdleKb / 1024.0,
                    peerIdleKb / 1024.0, "MiB");
            s.add("resident memory of ./vmm serve after the floor's requests", svcAfterKb / 1024.0, null, "MiB");
            s.add("resident memory of ./vmm serve idle again after the floor's requests", svcLaterKb / 1024.0, null,
                    "MiB");
            s.add("start to first answer (./vmm serve vs the JDK's HTTP server)", svcStartMs, peer.startMs, "ms");
            s.add("REST floor p50, GET /vms 5 ms apart (jvmm service vs the JDK's HTTP server)", quietOurs / 1e6,
                    quietTheirs / 1e6, "ms");
            s.add("the same 404 p50, answered on the I/O thread vs on a worker", ioP50 / 1e6, workerP50 / 1e6, "ms");
            Table t = new Table("figure", "jvmm", "JDK HTTP server", "ratio");
            t.row("`GET /vms` p50", ms(op50), ms(pp50), F.ratio(op50 / pp50));
            t.row("`GET /vms` p99", ms(op99), ms(pp99), F.ratio(op99 / pp99));
            t.row("`GET /vms` max", ms(Stats.max(o)), ms(Stats.max(p)), F.ratio(Stats.max(o) / Stats.max(p)));
            t.row("resident memory, idle", MemoryBench.mib(svcIdleKb), MemoryBench.mib(peerIdleKb),
                    F.ratio((double) svcIdleKb / peerIdleKb));
            // Requests jvmm answered: three kinds, then the floor after quiet.
            int served = 3 * (samples + warmup) + blocks * (samples / blocks / 3);
            t.row("resident memory 1 s after " + served + " requests", MemoryBench.mib(svcAfterKb),
                    "-", "-");
            t.row("resident memory " + (1 + settleMs / 1000) + " s after them", MemoryBench.mib(svcLaterKb), "-",
                    "-");
            t.row("`GET /vms` p50, " + QUIET_GAP_MICROS / 1000 + " ms apart (as the monitor bench sends)",
                    ms(quietOurs), ms(quietTheirs), F.ratio(quietOurs / quietTheirs));
            t.row("404 answered on the I/O thread (`GET /vms/none`) p50", ms(ioP50), "-", "-");
            t.row("404 answered on a worker (`GET /vms/none/console`) p50", ms(workerP50), "-", "-");
            t.row("process start to first answer", F.f(svcStartMs, 0) + " ms", F.f(peer.startMs, 0) + " ms",
                    F.ratio(svcStartMs / peer.startMs));
            s.md("Command: `bench/run --only service` (needs no KVM). A `./vmm serve` process as the launcher starts "
                    + "it (its JVM options included) and a second JVM running the JDK's `com.sun.net.httpserver` (with "
                    + "`-Dsun.net.httpserver.nodelay=true`: without it, its separate header and body writes meet "
                    + "delayed ACKs and it answers in 40 ms) "
                    + "answering `GET /vms` with the same `{\"vms\":[]}`; one keep-alive HTTP/1.1 client (`Http`, Nagle "
                    + "off) per server. Four kinds of request: `GET /vms` on each server, and on jvmm the same 404 "
                    + "answered on the I/O thread (`GET /vms/none`) and on a worker (`GET /vms/none/console`); "
                    + warmup + " warm-up requests of each, then " + samples + " of each in " + blocks + " blocks per "
                    + "kind, the order rotating, " + gapMicros + " us apart; then `GET /vms` on each server again, "
                    + samples / 3 + " each in blocks, " + QUIET_GAP_MICROS / 1000 + " ms apart. Resident memory is "
                    + "the sum of Rss over "
                    + "`/proc/PID/smaps`, " + settleMs / 1000 + " s after start with no request yet; jvmm's idle "
                    + "memory and start-up are the median of three starts (idle: " + spread + ").");
            s.md(t.markdown());
            s.md(whereTheTimeGoes(env, settleMs, op99, pp99, ioP50, workerP50, op50, quietOurs, quietTheirs));
            boolean floorMet = op50 <= 0.2e6 && op99 <= 1e6 && op50 <= 2 * pp50;
            boolean memMet = svcIdleKb <= 64 * 1024;
            s.md("Targets: floor p50 <= 0.2 ms, p99 <= 1 ms and <= 2x the minimal server's p50: "
                    + F.verdict(floorMet) + "; idle resident memory <= 64 MiB: " + F.verdict(memMet) + ".");
            s.target("REST floor p50 <= 0.2 ms, p99 <= 1 ms, <= 2x the JDK server's p50", floorMet,
                    ms(op50) + " / " + ms(op99) + ", ratio " + F.ratio(op50 / pp50));
            s.target("idle ./vmm serve resident memory <= 64 MiB", memMet, MemoryBench.mib(svcIdleKb));
        }
        return s;
    }

    /**
     * Where the floor's time and the idle service's memory go: the request path, the largest
     * mappings, and the JVM's own account (Native Memory Tracking, in a second idle service,
     * since tracking costs memory itself) with the classes loaded.
     */
    private static String whereTheTimeGoes(Env env, long settleMs, double op99, double pp99, double ioP50,
                                           double workerP50, double op50, double quietOurs, double quietTheirs)
            throws Exception {
        String nmt;
        String classes;
        List<Smaps.Mapping> top;
        try (VmmService svc = VmmService.start(env, "serve-floor-nmt", "-XX:NativeMemoryTracking=summary")) {
            Thread.sleep(settleMs);
            top = MemoryBench.top(Smaps.read(svc.pid()), new Smaps.Range(0, 0));
            nmt = MemoryBench.nmtTable(svc.jcmd("VM.native_memory", "summary", "scale=KB"));
            String counters = svc.jcmd("PerfCounter.print");
            classes = JvmAccount.counter(counters, "java.cls.loadedClasses") + " classes loaded ("
                    + JvmAccount.counter(counters, "java.cls.sharedLoadedClasses") + " of them from the JDK's CDS archive)";
        }
        // The launcher's heap options against the JVM's defaults for this machine (initial heap 1/64
        // of RAM, 40-70 % kept free), and against a C1-only JIT: idle resident memory of each.
        long ramBytes = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getTotalMemorySize();
        long defaultsKb = idle(env, "serve-floor-heap-defaults", settleMs, "-Xms"
                + Math.max(8, ramBytes / 64 / 1048576) + "m -XX:MinHeapFreeRatio=40 -XX:MaxHeapFreeRatio=70").kb;
        long c1Kb = idle(env, "serve-floor-c1", settleMs, "-XX:TieredStopAtLevel=1").kb;
        long untrimmedKb = idle(env, "serve-floor-untrimmed", settleMs, "-XX:TrimNativeHeapInterval=0").kb;
        return "Where the time goes. `GET /vms` reads published state only, so it is answered on the Vert.x I/O "
                + "thread that parsed it (`@NonBlocking`), as are a VM's status and CPUs and the HMP commands that "
                + "cannot wait (`info status`, `info cpus`, `info kvm`, `info sync-profile`, `cpu N`, `help`); "
                + "anything that may wait for the Big Lock or the vCPUs is handed to a worker. The hand-off costs "
                + "two thread wake-ups per request: the same 404 took " + ms(ioP50) + " at p50 on the I/O thread "
                + "and " + ms(workerP50) + " on a worker, in the same blocks. The p99 (" + ms(op99)
                + ", the JDK server's " + ms(pp99) + ") is the host's: both servers see the same tail, a thread "
                + "that waits for one of the two cores. Spaced " + QUIET_GAP_MICROS / 1000 + " ms apart, as the "
                + "monitor bench sends its commands, "
                + "the same request takes " + ms(quietOurs) + " at p50 (" + ms(op50) + " at 1 ms), and the JDK's "
                + "server " + ms(quietTheirs) + ": after a few milliseconds of quiet the host's cores are idle, "
                + "and every thread a request needs (the client's, the event loop, the client again) waits for its "
                + "core to wake up. That cost is the host's and falls on every server alike; a request pays it once "
                + "per thread hand-off."
                + "\n\nThe idle service's memory, by mapping:\n\n" + MemoryBench.topTable(top)
                + "\nand by the JVM's account (" + classes + "):\n\n" + nmt
                + "\nWhat stands between the service and 64 MiB is mostly the JVM itself: `libjvm.so` and the "
                + "JDK's CDS archive are mapped in every Java process (the minimal server holds them too), and "
                + "the class metadata of the HTTP "
                + "stack (Vert.x and Netty), Quarkus REST, Jackson, the CDI container, SmallRye Config and "
                + "Micrometer is most of the rest. The OpenAPI document is served as the bytes the build stored "
                + "(`ApiDocumentRoute`): SmallRye OpenAPI's runtime, its model, YAML parser and class index, held "
                + "about 9 MiB more and cost about 0.5 s of start-up (paired starts, commit aa8e402 against its "
                + "parent). The heap starts at 8 MiB and gives back what a burst took "
                + "(`./vmm` runs with `-Xms8m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30`; with the JVM's "
                + "heap defaults the idle service held " + MemoryBench.mib(defaultsKb) + " in this run). What the C "
                + "library keeps of memory the JVM freed, the JIT compilers' scratch arenas above all, is given back "
                + "every 5 s (`-XX:TrimNativeHeapInterval=5000`, from JDK 17.0.9): without it the idle service held "
                + MemoryBench.mib(untrimmedKb) + " in this run. A C1-only "
                + "JIT (`-XX:TieredStopAtLevel=1`) held " + MemoryBench.mib(c1Kb) + " idle; it is not used: the "
                + "vCPU exit path is Java code that C2 compiles.";
    }

    /** A service's time from process start to its first answer, and its resident memory once idle. */
    private record Idle(double startMs, long kb) {
    }

    /** A new service run with {@code javaOpts} added (null: none): its start-up, and its memory {@code settleMs} after. */
    private static Idle idle(Env env, String logName, long settleMs, String javaOpts) throws Exception {
        try (VmmService svc = VmmService.start(env, logName, javaOpts)) {
            return settle(svc, settleMs);
        }
    }

    /** A service that has just answered for the first time: its start-up, and its memory {@code settleMs} later. */
    private static Idle settle(VmmService svc, long settleMs) throws Exception {
        double startMs = (System.nanoTime() - svc.startNanos) / 1e6;
        Thread.sleep(settleMs);
        return new Idle(startMs, Smaps.totalRssKb(Smaps.read(svc.pid())));
    }

    /** The monitor bench's spacing of commands, for the floor measured after quiet. */
    private static final long QUIET_GAP_MICROS = 5000;

    private static void sleepMicros(long us) {
        java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(us));
    }

    static String ms(double nanos) {
        return F.f(nanos / 1e6, 3) + " ms";
    }

    /** One kind of request, its expected status, and its latencies. */
    private static final class Probe {
        final String what;
        final Http http;
        final String path;
        final int status;
        final List<Double> nanos = new ArrayList<>();

        Probe(String what, Http http, String path, int status) {
            this.what = what;
            this.http = http;
            this.path = path;
            this.status = status;
        }

        /** One request; its round trip in nanoseconds. */
        long call() throws IOException {
            long t0 = System.nanoTime();
            Http.Response r = http.get(path);
            long t = System.nanoTime() - t0;
            if (r.status() != status || (status == 200 && !r.body().strip().equals(MinimalServer.BODY))) {
                throw new IOException(what + " answered " + r.status() + ": " + r.body());
            }
            return t;
        }
    }

    /** The minimal server's process and a client on it. */
    private static final class Peer implements AutoCloseable {
        final Process process;
        final Http http;
        final double startMs;

        private Peer(Process process, Http http, double startMs) {
            this.process = process;
            this.http = http;
            this.startMs = startMs;
        }

        static Peer start(Env env) throws Exception {
            int port = VmmService.freePort();
            Path classes = env.repo.resolve("bench/target/classes");
            long t0 = System.nanoTime();
            Process p = new ProcessBuilder("java", "-XX:+UseSerialGC", "-Dsun.net.httpserver.nodelay=true", "-cp",
                    classes.toString(), MinimalServer.class.getName(), Integer.toString(port)).redirectErrorStream(true)
                    .redirectOutput(env.work.resolve("minimal-server.log").toFile()).start();
            Http http = new Http("127.0.0.1", port);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                try {
                    if (http.get("/vms").status() == 200) {
                        return new Peer(p, http, (System.nanoTime() - t0) / 1e6);
                    }
                } catch (IOException e) {
                    http.close();
                }
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    Env.stop(p, 5);
                    throw new IOException("the minimal server did not answer; see "
                            + env.work.resolve("minimal-server.log"));
                }
                Thread.sleep(20);
            }
        }

        @Override
        public void close() {
            http.close();
            Env.stop(process, 5);
        }
    }
}
