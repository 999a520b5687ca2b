package io.jvmm.bench;

import io.jvmm.core.lock.BigLock;
import io.jvmm.core.lock.LockObserver;
import io.jvmm.core.lock.LockRole;
import io.jvmm.core.lock.LockSite;
import io.jvmm.core.metrics.LockMetricsObserver;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * JMH benchmarks of the Big Lock (measurement 4, run by {@link LockBench}). One operation is
 * what the vCPU loop does around every exit: take the lock at a site, the transition check that
 * it is held, release it, the check that it is not held.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class LockBenchmarks {

    /** A Big Lock with the observer and checks the parameters say. */
    @State(Scope.Benchmark)
    public static class Lock {
        /** "none": LockObserver.NONE; "micrometer": the product's LockMetricsObserver (histograms, counters on a PrometheusMeterRegistry). */
        @Param({"none", "micrometer"})
        public String observer;

        /** The value of -Djvmm.lock.checks when the lock is built. */
        @Param({"true", "false"})
        public String checks;

        BigLock bql;
        LockSite site;

        @Setup
        public void setUp() {
            System.setProperty(BigLock.CHECKS_PROPERTY, checks);
            LockObserver o = "micrometer".equals(observer)
                    ? new LockMetricsObserver(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), "bench", m -> { })
                    : LockObserver.NONE;
            bql = new BigLock("bench BQL", o);
            site = bql.site(LockRole.VCPU, "vcpu-exit");
        }
    }

    /** The lock the contended benchmarks share; checks as the product defaults (on). */
    @State(Scope.Benchmark)
    public static class SharedLock {
        @Param({"none", "micrometer"})
        public String observer;

        BigLock bql;
        LockSite site;

        @Setup
        public void setUp() {
            LockObserver o = "micrometer".equals(observer)
                    ? new LockMetricsObserver(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), "bench", m -> { })
                    : LockObserver.NONE;
            bql = new BigLock("bench BQL", o, true);
            site = bql.site(LockRole.VCPU, "vcpu-exit");
        }
    }

    /** A bare ReentrantLock, the Big Lock's own mutex: the floor. */
    @State(Scope.Benchmark)
    public static class Plain {
        final ReentrantLock lock = new ReentrantLock(false);
    }

    /** A timer like the observer's (Prometheus registry, the product's SLO buckets). */
    @State(Scope.Benchmark)
    public static class PromTimer {
        io.micrometer.core.instrument.Timer timer;

        @Setup
        public void setUp() {
            timer = io.micrometer.core.instrument.Timer.builder(io.jvmm.core.metrics.VmmMetrics.BQL_HOLD)
                    .tags("vm", "bench", "role", "vcpu", "site", "vcpu-exit")
                    .serviceLevelObjectives(io.jvmm.core.metrics.VmmMetrics.LOCK_BUCKETS)
                    .register(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        }
    }

    /** A histogram like the observer's (the product's lock buckets). */
    @State(Scope.Benchmark)
    public static class Histogram {
        final io.jvmm.core.metrics.LatencyHistogram histogram = new io.jvmm.core.metrics.LatencyHistogram(
                java.util.Arrays.stream(io.jvmm.core.metrics.VmmMetrics.LOCK_BUCKETS)
                        .mapToLong(java.time.Duration::toNanos).toArray());
    }

    /** One LatencyHistogram.record (the observer makes two per acquire-release). */
    @Benchmark
    @Threads(1)
    public static void latencyHistogramRecord(Histogram h) {
        h.histogram.record(1234);
    }

    /** One System.nanoTime() (the lock reads the clock twice per acquire-release). */
    @Benchmark
    @Threads(1)
    public static long nanoTime() {
        return System.nanoTime();
    }

    /** One Micrometer Timer.record on the Prometheus registry: what the observer would cost with timers. */
    @Benchmark
    @Threads(1)
    public static void prometheusTimerRecord(PromTimer t) {
        t.timer.record(1234, TimeUnit.NANOSECONDS);
    }

    static void cycle(BigLock bql, LockSite site) {
        bql.lock(site);
        bql.assertHeld("bench");
        bql.unlock();
        bql.assertNotHeld("bench");
    }

    /** Uncontended: one thread. */
    @Benchmark
    @Threads(1)
    public static void uncontended(Lock l) {
        cycle(l.bql, l.site);
    }

    /** Uncontended bare ReentrantLock lock/unlock. */
    @Benchmark
    @Threads(1)
    public static void plainReentrantLock(Plain p) {
        p.lock.lock();
        p.lock.unlock();
    }

    /** Two threads taking the same lock back to back. */
    @Benchmark
    @Threads(2)
    public static void contended2(SharedLock l) {
        cycle(l.bql, l.site);
    }

    /** Four threads taking the same lock back to back (on a 2-core host: two per core). */
    @Benchmark
    @Threads(4)
    public static void contended4(SharedLock l) {
        cycle(l.bql, l.site);
    }
}
