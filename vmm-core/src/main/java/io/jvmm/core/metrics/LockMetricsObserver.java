package io.jvmm.core.metrics;

import io.jvmm.core.lock.LockObserver;
import io.jvmm.core.lock.LockSite;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * Big Lock metrics: per site, a wait-time and a hold-time {@link LatencyHistogram} recorded on
 * every acquisition and release ({@link VmmMetrics#BQL_WAIT}, {@link VmmMetrics#BQL_HOLD}, exported
 * by the service), and Micrometer counters of acquisitions and contended acquisitions read from
 * the site's own counters at scrape time. A site's histograms are made once and attached to the
 * site, so recording costs no lookup: measured in {@code bench/} against no observer at all.
 */
public final class LockMetricsObserver implements LockObserver {
    private static final long[] BOUNDS = boundsNanos(VmmMetrics.LOCK_BUCKETS);

    private final MeterRegistry registry;
    private final String vm;
    private final Consumer<Meter> registered;

    /** The two histograms of one site. */
    public record SiteHistograms(LatencyHistogram waits, LatencyHistogram holds) {
    }

    /** An observer for machine {@code vm}, registering its counters in {@code registry} and reporting each to {@code registered}. */
    public LockMetricsObserver(MeterRegistry registry, String vm, Consumer<Meter> registered) {
        this.registry = registry;
        this.vm = vm;
        this.registered = registered;
    }

    private static long[] boundsNanos(Duration[] buckets) {
        long[] out = new long[buckets.length];
        for (int i = 0; i < buckets.length; i++) {
            out[i] = buckets[i].toNanos();
        }
        return out;
    }

    /** The histograms of {@code site}, or null if this observer has not seen it. */
    public static SiteHistograms histograms(LockSite site) {
        return site.observerData() instanceof SiteHistograms h ? h : null;
    }

    private SiteHistograms of(LockSite site) {
        Object data = site.observerData();
        if (data instanceof SiteHistograms h) {
            return h;
        }
        synchronized (site) {
            data = site.observerData();
            if (data instanceof SiteHistograms h) {
                return h;
            }
            SiteHistograms h = new SiteHistograms(new LatencyHistogram(BOUNDS), new LatencyHistogram(BOUNDS));
            Tags tags = Tags.of("vm", vm, "role", site.role().tag(), "site", site.name());
            registered.accept(FunctionCounter.builder(VmmMetrics.BQL_ACQUISITIONS, site, s -> s.stats().acquisitions())
                    .description("Acquisitions of the BQL").tags(tags).register(registry));
            registered.accept(FunctionCounter.builder(VmmMetrics.BQL_CONTENDED, site, s -> s.stats().contended())
                    .description("BQL acquisitions that had to wait").tags(tags).register(registry));
            site.attachObserverData(h);
            return h;
        }
    }

    @Override
    public void acquired(LockSite site, long waitNanos, boolean contended) {
        of(site).waits().record(waitNanos);
    }

    @Override
    public void released(LockSite site, long holdNanos) {
        of(site).holds().record(holdNanos);
    }
}
