package io.jvmm.core.metrics;

import io.jvmm.core.lock.LockObserver;
import io.jvmm.core.lock.LockSite;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/**
 * Records Big Lock timings as Micrometer timers with histograms ({@link VmmMetrics#BQL_WAIT},
 * {@link VmmMetrics#BQL_HOLD}) and exposes each site's acquisition counters. A site's timers are
 * looked up once and attached to the site, so recording costs no map lookup.
 */
public final class MicrometerLockObserver implements LockObserver {
    private final MeterRegistry registry;
    private final String vm;
    private final java.util.function.Consumer<io.micrometer.core.instrument.Meter> registered;

    private record SiteMeters(Timer waitTimer, Timer holdTimer) {
    }

    /** An observer registering meters tagged {@code vm} in {@code registry}, reporting each to {@code registered}. */
    public MicrometerLockObserver(MeterRegistry registry, String vm,
                                  java.util.function.Consumer<io.micrometer.core.instrument.Meter> registered) {
        this.registry = registry;
        this.vm = vm;
        this.registered = registered;
    }

    private SiteMeters meters(LockSite site) {
        Object data = site.observerData();
        if (data instanceof SiteMeters m) {
            return m;
        }
        synchronized (site) {
            data = site.observerData();
            if (data instanceof SiteMeters m) {
                return m;
            }
            Tags tags = Tags.of("vm", vm, "role", site.role().tag(), "site", site.name());
            SiteMeters m = new SiteMeters(
                    Timer.builder(VmmMetrics.BQL_WAIT).description("Time from asking for the BQL to holding it")
                            .tags(tags).serviceLevelObjectives(VmmMetrics.LOCK_BUCKETS).register(registry),
                    Timer.builder(VmmMetrics.BQL_HOLD).description("Time the BQL was held")
                            .tags(tags).serviceLevelObjectives(VmmMetrics.LOCK_BUCKETS).register(registry));
            registered.accept(m.waitTimer);
            registered.accept(m.holdTimer);
            registered.accept(FunctionCounter.builder(VmmMetrics.BQL_ACQUISITIONS, site, s -> s.stats().acquisitions())
                    .description("Acquisitions of the BQL").tags(tags).register(registry));
            registered.accept(FunctionCounter.builder(VmmMetrics.BQL_CONTENDED, site, s -> s.stats().contended())
                    .description("BQL acquisitions that had to wait").tags(tags).register(registry));
            site.attachObserverData(m);
            return m;
        }
    }

    @Override
    public void acquired(LockSite site, long waitNanos, boolean contended) {
        meters(site).waitTimer.record(waitNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void released(LockSite site, long holdNanos) {
        meters(site).holdTimer.record(holdNanos, TimeUnit.NANOSECONDS);
    }
}
