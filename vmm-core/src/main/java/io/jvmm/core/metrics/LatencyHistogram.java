package io.jvmm.core.metrics;

import java.util.concurrent.atomic.LongAdder;

/**
 * A fixed-bucket latency histogram cheap enough to record on every Big Lock acquisition: a few
 * comparisons and two {@link LongAdder} increments, no clock reads, no allocation. Buckets follow
 * Prometheus conventions (each bucket counts values up to and including its bound, a last one
 * counts the rest); the service exports them as {@code _bucket}, {@code _sum} and {@code _count}.
 */
public final class LatencyHistogram {
    private final long[] boundsNanos;
    private final LongAdder[] counts;
    private final LongAdder sumNanos = new LongAdder();

    /** A histogram with these ascending bucket bounds, in nanoseconds. */
    public LatencyHistogram(long[] boundsNanos) {
        for (int i = 1; i < boundsNanos.length; i++) {
            if (boundsNanos[i] <= boundsNanos[i - 1]) {
                throw new IllegalArgumentException("Histogram bounds must ascend");
            }
        }
        this.boundsNanos = boundsNanos.clone();
        this.counts = new LongAdder[boundsNanos.length + 1];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = new LongAdder();
        }
    }

    /** Counts one observation of {@code nanos}. */
    public void record(long nanos) {
        int i = 0;
        while (i < boundsNanos.length && nanos > boundsNanos[i]) {
            i++;
        }
        counts[i].increment();
        sumNanos.add(nanos);
    }

    /** The bucket bounds, in nanoseconds. */
    public long[] boundsNanos() {
        return boundsNanos.clone();
    }

    /** Cumulative counts per bound (the last entry is the total), and the sum, read now. */
    public Snapshot snapshot() {
        long[] cumulative = new long[counts.length];
        long running = 0;
        for (int i = 0; i < counts.length; i++) {
            running += counts[i].sum();
            cumulative[i] = running;
        }
        return new Snapshot(cumulative, sumNanos.sum());
    }

    /** {@code cumulative[i]}: observations up to bound i; the last element counts them all. */
    public record Snapshot(long[] cumulative, long sumNanos) {
        /** Every observation. */
        public long count() {
            return cumulative[cumulative.length - 1];
        }
    }
}
