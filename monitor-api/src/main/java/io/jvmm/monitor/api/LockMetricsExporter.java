package io.jvmm.monitor.api;

import io.jvmm.core.lock.LockSite;
import io.jvmm.core.metrics.LatencyHistogram;
import io.jvmm.core.metrics.LockMetricsObserver;
import io.jvmm.monitor.service.ManagedVm;
import io.jvmm.monitor.service.VmService;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.prometheus.client.Collector;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;

/**
 * Exports the Big Lock wait and hold histograms of every VM the service owns as
 * {@code jvmm_bql_wait_seconds} and {@code jvmm_bql_hold_seconds} (labels vm, role, site), through
 * the Prometheus registry behind Micrometer, at scrape time. The histograms themselves are
 * recorded by {@link LockMetricsObserver}; a destroyed VM's series go with it.
 */
@ApplicationScoped
public class LockMetricsExporter extends Collector {
    private static final List<String> LABELS = List.of("vm", "role", "site");
    private static final List<String> BUCKET_LABELS = List.of("vm", "role", "site", "le");

    @Inject
    VmService service;

    @Inject
    PrometheusMeterRegistry registry;

    void register(@Observes StartupEvent e) {
        registry.getPrometheusRegistry().register(this);
    }

    @Override
    public List<MetricFamilySamples> collect() {
        List<MetricFamilySamples.Sample> wait = new ArrayList<>();
        List<MetricFamilySamples.Sample> hold = new ArrayList<>();
        for (ManagedVm vm : service.list()) {
            for (LockSite site : vm.machine().bql().sites()) {
                LockMetricsObserver.SiteHistograms h = LockMetricsObserver.histograms(site);
                if (h == null) {
                    continue;
                }
                List<String> values = List.of(vm.id(), site.role().tag(), site.name());
                samples(wait, "jvmm_bql_wait_seconds", values, h.waits());
                samples(hold, "jvmm_bql_hold_seconds", values, h.holds());
            }
        }
        return List.of(
                new MetricFamilySamples("jvmm_bql_wait_seconds", Type.HISTOGRAM,
                        "Time from asking for the BQL to holding it", wait),
                new MetricFamilySamples("jvmm_bql_hold_seconds", Type.HISTOGRAM, "Time the BQL was held", hold));
    }

    private static void samples(List<MetricFamilySamples.Sample> out, String name, List<String> values,
                                LatencyHistogram histogram) {
        LatencyHistogram.Snapshot s = histogram.snapshot();
        long[] bounds = histogram.boundsNanos();
        for (int i = 0; i < s.cumulative().length; i++) {
            String le = i < bounds.length ? Collector.doubleToGoString(bounds[i] / 1e9) : "+Inf";
            List<String> v = new ArrayList<>(values);
            v.add(le);
            out.add(new MetricFamilySamples.Sample(name + "_bucket", BUCKET_LABELS, v, s.cumulative()[i]));
        }
        out.add(new MetricFamilySamples.Sample(name + "_count", LABELS, values, s.count()));
        out.add(new MetricFamilySamples.Sample(name + "_sum", LABELS, values, s.sumNanos() / 1e9));
    }
}
