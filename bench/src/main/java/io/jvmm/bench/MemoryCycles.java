package io.jvmm.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The service's resident memory over many VM lifetimes: {@code cycles} times, create a 2-vCPU
 * smp-work VM, wait for its {@code CPUs up}, read every CPU's registers ({@code info registers -a})
 * and destroy it; the Rss (sum over /proc/PID/smaps) after every {@link #EVERY}th destroy, and at
 * the table's rows the JVM's own account of what grows with use ({@link JvmAccount}). What a VM
 * leaves behind (threads, meters, buffers, native memory) shows as a slope; what the JIT compiles
 * as the paths warm up shows in the code cache.
 */
final class MemoryCycles {
    static final int CPUS = 2;
    static final int EVERY = 10;
    /**
     * The samples are taken right after a destroy, with what the VM's teardown and the JIT's
     * compilers just freed still in the C library's arenas; {@code ./vmm} has it given back every
     * 5 s (-XX:TrimNativeHeapInterval), so the settled sample waits a little longer than that.
     */
    static final long SETTLE_MS = 6000;

    /** Rss in kB after cycle {@code cycle} (0: before the first); {@code jvm} at the table's rows, else null. */
    record Point(int cycle, long rssKb, JvmAccount jvm) {
    }

    /**
     * The points, and {@code settled}: the same figures {@link #SETTLE_MS} after the last cycle;
     * the Rss by {@link ResidentKinds} at cycle 0 and settled.
     */
    record Curve(List<Point> points, int flatFrom, Point settled, Map<String, Long> kindsAtStart,
            Map<String, Long> kindsSettled) {
        long last() {
            return points.get(points.size() - 1).rssKb();
        }

        /** Least-squares slope of Rss over the cycles from {@code flatFrom} on, in kB per 100 cycles. */
        double slopeKbPer100() {
            List<Point> tail = points.stream().filter(p -> p.cycle() >= flatFrom).toList();
            double n = tail.size();
            double mx = tail.stream().mapToDouble(Point::cycle).sum() / n;
            double my = tail.stream().mapToDouble(Point::rssKb).sum() / n;
            double sxy = 0;
            double sxx = 0;
            for (Point p : tail) {
                sxy += (p.cycle() - mx) * (p.rssKb() - my);
                sxx += (p.cycle() - mx) * (p.cycle() - mx);
            }
            return sxx == 0 ? 0 : 100 * sxy / sxx;
        }
    }

    private MemoryCycles() {
    }

    static Curve run(Env env, VmmService svc, int cycles) throws Exception {
        List<Point> points = new ArrayList<>();
        int step = step(cycles);
        List<Smaps.Mapping> start = Smaps.read(svc.pid());
        JvmAccount startAccount = JvmAccount.of(svc);
        points.add(new Point(0, Smaps.totalRssKb(start), startAccount));
        long t0 = System.nanoTime();
        for (int c = 1; c <= cycles; c++) {
            String id = svc.create("smp-work", CPUS, "report_ms=1000");
            try {
                svc.awaitConsole(id, "CPUs up", Duration.ofSeconds(60));
                MonitorBench.check(svc.hmp(id, "info registers -a"), CPUS, "jvmm");
            } finally {
                svc.destroy(id);
            }
            if (c % EVERY == 0 || c == cycles) {
                long rss = Smaps.totalRssKb(Smaps.read(svc.pid()));
                points.add(new Point(c, rss, c % step == 0 || c == cycles ? JvmAccount.of(svc) : null));
            }
            if (c % 100 == 0) {
                env.log("memory: %d cycles in %d s, Rss %s", c, (System.nanoTime() - t0) / 1_000_000_000,
                        MemoryBench.mib(points.get(points.size() - 1).rssKb()));
            }
        }
        Thread.sleep(SETTLE_MS);
        List<Smaps.Mapping> end = Smaps.read(svc.pid());
        JvmAccount endAccount = JvmAccount.of(svc);
        return new Curve(points, Math.min(100, cycles / 5), new Point(cycles, Smaps.totalRssKb(end), endAccount),
                ResidentKinds.of(start, startAccount), ResidentKinds.of(end, endAccount));
    }

    /**
     * JIT configurations the same cycles also run under, each in a fresh service: what the code the
     * JIT compiles as the paths warm up adds to the product's curve.
     */
    private static final List<String[]> JIT_VARIANTS = List.of(
            new String[] {"c1", "-XX:TieredStopAtLevel=1", "C1 only (`-XX:TieredStopAtLevel=1`)"},
            new String[] {"c2", "-XX:-TieredCompilation", "C2 only (`-XX:-TieredCompilation`)"});

    /** The same cycles under each of {@link #JIT_VARIANTS}, in order. */
    static List<Curve> jitVariants(Env env, int cycles) throws Exception {
        List<Curve> out = new ArrayList<>();
        for (String[] v : JIT_VARIANTS) {
            try (VmmService svc = VmmService.start(env, "serve-cycles-" + v[0], v[1])) {
                out.add(run(env, svc, cycles));
            }
        }
        return out;
    }

    /** How the section names the {@code i}th of {@link #JIT_VARIANTS}. */
    static String jitName(int i) {
        return JIT_VARIANTS.get(i)[2];
    }

    /** What the section says of the cycles: the curve, where its growth goes, and the JIT variants. */
    static String markdown(Curve curve, int cycles, List<Curve> variants) {
        JvmAccount a = curve.points().get(0).jvm();
        Point settled = curve.settled();
        JvmAccount c = settled.jvm();
        StringBuilder md = new StringBuilder();
        md.append("Over VM lifetimes: ").append(cycles).append(" cycles, in the same service after the VMs above "
                + "were destroyed, of create a ").append(CPUS).append("-vCPU smp-work VM, wait for `CPUs up`, "
                + "`info registers -a`, destroy; the service's Rss after every ").append(EVERY)
                .append("th destroy, and at the table's rows the JVM's own account (`jcmd PID Compiler.codecache`, "
                        + "`GC.heap_info`, `PerfCounter.print`: committed sizes). Rss after the last: ")
                .append(MemoryBench.mib(curve.last())).append("; growth from cycle ").append(curve.flatFrom())
                .append(" on (least-squares slope): ").append(MemoryBench.mib(curve.slopeKbPer100()))
                .append(" per 100 cycles; ").append(SETTLE_MS / 1000).append(" s later, with nothing running: ")
                .append(MemoryBench.mib(settled.rssKb())).append(" (JIT code cache ").append(kb(c.codeKb()))
                .append(", Java heap ").append(kb(c.heapKb())).append(", metaspace ").append(kb(c.metaspaceKb()))
                .append(").\n\n").append(table(curve).markdown());
        Table kinds = new Table("kind of mapping", "Rss at cycle 0", "Rss " + SETTLE_MS / 1000 + " s after cycle " + cycles,
                "growth");
        for (Map.Entry<String, Long> e : curve.kindsAtStart().entrySet()) {
            long after = curve.kindsSettled().getOrDefault(e.getKey(), 0L);
            kinds.row(e.getKey(), MemoryBench.mib(e.getValue()), MemoryBench.mib(after), MemoryBench.mib(after - e.getValue()));
        }
        md.append("\n\nWhere the memory goes over the cycles. The service's Rss by kind of mapping, at cycle 0 and "
                + SETTLE_MS / 1000 + " s after the last (the code heaps and the Java heap told by the address ranges "
                + "the JVM reports for them):\n\n").append(kinds.markdown());
        md.append("\n\nBy the JVM's account, from cycle 0 to ").append(cycles).append(" the JIT's code cache grew by ")
                .append(MemoryBench.mib(c.codeKb() - a.codeKb())).append(" (").append(c.compiles() - a.compiles())
                .append(" more methods compiled), the Java heap by ").append(MemoryBench.mib(c.heapKb() - a.heapKb()))
                .append(", metaspace by ").append(MemoryBench.mib(c.metaspaceKb() - a.metaspaceKb())).append(", with ")
                .append(c.classes() - a.classes()).append(" more classes loaded (").append(c.classes())
                .append(" in all; the first table shows when). No class is loaded per VM, so what metaspace gains is "
                        + "the JIT's profiles of the methods it compiles. The tiered compiler keeps compiling the paths "
                        + "that run a few times per VM (create, boot, read, destroy) for hundreds of cycles, first with "
                        + "profiling (C1), then optimized (C2). Right after the last destroy the Rss was ")
                .append(MemoryBench.mib(curve.last() - settled.rssKb())).append(" higher than ").append(SETTLE_MS / 1000)
                .append(" s later: memory the compilers and the VM's teardown had just freed, which the C library "
                        + "keeps in its arenas until the launcher's 5 s trim gives it back. The same ").append(cycles)
                .append(" cycles, each in a fresh service whose JIT is told otherwise:\n\n");
        Table t = new Table("JIT", "Rss after the last cycle", SETTLE_MS / 1000 + " s later", "JIT code cache",
                "metaspace", "methods compiled");
        List<Curve> all = new ArrayList<>(List.of(curve));
        all.addAll(variants);
        for (int i = 0; i < all.size(); i++) {
            Curve k = all.get(i);
            JvmAccount j = k.settled().jvm();
            t.row(i == 0 ? "tiered, C1 and C2 (the product; the curve above)" : jitName(i - 1), MemoryBench.mib(k.last()),
                    MemoryBench.mib(k.settled().rssKb()), kb(j.codeKb()), kb(j.metaspaceKb()), count(j.compiles()));
        }
        md.append(t.markdown());
        md.append("\n\nNeither is the product's: C1 alone compiles every path, the vCPU exit path with it, without "
                + "C2's optimizations, "
                + "and C2 alone leaves every method to the interpreter until it has run 10000 times (C1 compiles "
                + "at 200), so the request path of a service that has answered a few thousand requests still "
                + "runs interpreted. What stands between the product and 96 MiB is the idle service's floor (the "
                + "service section: the JVM, the CDS archives, and the classes of the HTTP stack) and the code the "
                + "JIT compiles for the VM paths.");
        return md.toString();
    }

    /** The table's rows: every hundredth cycle (or fifth of a shorter run). */
    static int step(int cycles) {
        return cycles >= 500 ? 100 : Math.max(EVERY, cycles / 5 / EVERY * EVERY);
    }

    /** The Rss and the JVM's account at cycle 0, at every {@link #step} and at the end. */
    static Table table(Curve curve) {
        Table t = new Table("after cycle", "service Rss", "JIT code cache", "Java heap", "metaspace",
                "classes loaded", "methods compiled");
        for (Point p : curve.points()) {
            JvmAccount j = p.jvm();
            if (j != null) {
                t.row(p.cycle(), MemoryBench.mib(p.rssKb()), kb(j.codeKb()), kb(j.heapKb()), kb(j.metaspaceKb()),
                        count(j.classes()), count(j.compiles()));
            }
        }
        return t;
    }

    private static String kb(long kb) {
        return kb < 0 ? "-" : MemoryBench.mib(kb);
    }

    private static String count(long n) {
        return n < 0 ? "-" : Long.toString(n);
    }
}
