package io.jvmm.monitor.metrics;

import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * The service's meter registry: Micrometer's registry for the current Prometheus client (not the
 * deprecated simpleclient one Quarkus' Prometheus extension brings). Quarkus adds it to its global
 * registry, so every meter the service and its machines register lands here; {@link MetricsEndpoint}
 * serves it, with the series {@link VmMetricsCollector} computes at scrape time.
 */
@Singleton
public class MetricsRegistry {
    @Produces
    @Singleton
    PrometheusMeterRegistry registry() {
        return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT, new PrometheusRegistry(), Clock.SYSTEM);
    }

    /**
     * Leaves out the JVM binder's {@code jvm.info} counter, which the current Prometheus naming
     * renders as {@code jvm_total} (an "_info" name is reserved for info metrics);
     * {@code jvmm_build_info}'s {@code java} label says the same.
     */
    @Produces
    @Singleton
    MeterFilter withoutJvmInfo() {
        return MeterFilter.denyNameStartsWith("jvm.info");
    }
}
