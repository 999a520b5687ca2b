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
            double svcStartMs = (System.nanoTime() - svc.startNanos) / 1e6;
            Thread.sleep(settleMs);
            long svcIdleKb = Smaps.totalRssKb(Smaps.read(svc.pid()));
            long peerIdleKb = Smaps.totalRssKb(Smaps.read(peer.process.pid()));
            env.log("service: idle resident memory: jvmm %d KiB, minimal server %d KiB", svcIdleKb, peerIdleKb);
            for (int i = 0; i < warmup; i++) {
                check(svc.http.get("/vms"), "jvmm");
                check(peer.http.get("/vms"), "minimal server");
                sleepMicros(gapMicros);
            }
            List<Double> ours = new ArrayList<>();
            List<Double> theirs = new ArrayList<>();
            for (int b = 0; b < blocks; b++) {
                for (int side = 0; side < 2; side++) {
                    boolean jvmm = (side == 0) == (b % 2 == 0);
                    Http http = jvmm ? svc.http : peer.http;
                    List<Double> into = jvmm ? ours : theirs;
                    for (int i = 0; i < samples / blocks; i++) {
                        long t0 = System.nanoTime();
                        Http.Response r = http.get("/vms");
                        into.add((double) (System.nanoTime() - t0));
                        check(r, jvmm ? "jvmm" : "minimal server");
                        sleepMicros(gapMicros);
                    }
                }
            }
            Thread.sleep(1000);
            long svcAfterKb = Smaps.totalRssKb(Smaps.read(svc.pid()));
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
            s.add("start to first answer (./vmm serve vs the JDK's HTTP server)", svcStartMs, peer.startMs, "ms");
            Table t = new Table("figure", "jvmm", "JDK HTTP server", "ratio");
            t.row("`GET /vms` p50", ms(op50), ms(pp50), F.ratio(op50 / pp50));
            t.row("`GET /vms` p99", ms(op99), ms(pp99), F.ratio(op99 / pp99));
            t.row("`GET /vms` max", ms(Stats.max(o)), ms(Stats.max(p)), F.ratio(Stats.max(o) / Stats.max(p)));
            t.row("resident memory, idle", MemoryBench.mib(svcIdleKb), MemoryBench.mib(peerIdleKb),
                    F.ratio((double) svcIdleKb / peerIdleKb));
            t.row("resident memory after " + (samples + warmup) + " requests", MemoryBench.mib(svcAfterKb), "-", "-");
            t.row("process start to first answer", F.f(svcStartMs, 0) + " ms", F.f(peer.startMs, 0) + " ms",
                    F.ratio(svcStartMs / peer.startMs));
            s.md("Command: `bench/run --only service` (needs no KVM). A `./vmm serve` process as the launcher starts "
                    + "it (its JVM options included) and a second JVM running the JDK's `com.sun.net.httpserver` (with "
                    + "`-Dsun.net.httpserver.nodelay=true`: without it, its separate header and body writes meet "
                    + "delayed ACKs and it answers in 40 ms) "
                    + "answering `GET /vms` with the same `{\"vms\":[]}`; one keep-alive HTTP/1.1 client (`Http`, Nagle off) "
                    + "for both, " + warmup + " warm-up requests to each, then " + samples + " each in " + blocks
                    + " alternating blocks, " + gapMicros + " us apart. Resident memory is the sum of Rss over "
                    + "`/proc/PID/smaps`, " + settleMs / 1000 + " s after start with no request yet.");
            s.md(t.markdown());
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

    private static void check(Http.Response r, String who) throws IOException {
        if (r.status() != 200 || !r.body().strip().equals(MinimalServer.BODY)) {
            throw new IOException(who + " answered GET /vms with " + r.status() + ": " + r.body());
        }
    }

    private static void sleepMicros(long us) {
        java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(us));
    }

    static String ms(double nanos) {
        return F.f(nanos / 1e6, 3) + " ms";
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
                    classes.toString(),
                    MinimalServer.class.getName(), Integer.toString(port)).redirectErrorStream(true)
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
                    throw new IOException("the minimal server did not answer; see " + env.work.resolve("minimal-server.log"));
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
