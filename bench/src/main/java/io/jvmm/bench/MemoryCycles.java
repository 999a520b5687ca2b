package io.jvmm.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The service's resident memory over many VM lifetimes: {@code cycles} times, create a 2-vCPU
 * smp-work VM, wait for its {@code CPUs up}, read every CPU's registers ({@code info registers -a})
 * and destroy it; the Rss (sum over /proc/PID/smaps) after every {@link #EVERY}th destroy. What
 * a VM leaves behind (threads, meters, buffers, native memory) shows as a slope.
 */
final class MemoryCycles {
    static final int CPUS = 2;
    static final int EVERY = 10;

    /** Rss in kB after cycle {@code cycle} (0: before the first). */
    record Point(int cycle, long rssKb) {
    }

    record Curve(List<Point> points, int flatFrom) {
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
        points.add(new Point(0, Smaps.totalRssKb(Smaps.read(svc.pid()))));
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
                points.add(new Point(c, Smaps.totalRssKb(Smaps.read(svc.pid()))));
            }
            if (c % 100 == 0) {
                env.log("memory: %d cycles in %d s, Rss %s", c, (System.nanoTime() - t0) / 1_000_000_000,
                        MemoryBench.mib(points.get(points.size() - 1).rssKb()));
            }
        }
        return new Curve(points, Math.min(100, cycles / 5));
    }

    /** The Rss at cycle 0, at every hundredth cycle (or fifth of the run) and at the end. */
    static Table table(Curve curve, int cycles) {
        int step = cycles >= 500 ? 100 : Math.max(EVERY, cycles / 5 / EVERY * EVERY);
        Table t = new Table("after cycle", "service Rss");
        for (Point p : curve.points()) {
            if (p.cycle() % step == 0 || p.cycle() == cycles) {
                t.row(p.cycle(), MemoryBench.mib(p.rssKb()));
            }
        }
        return t;
    }
}
