package io.jvmm.monitor.metrics;

import io.micrometer.core.instrument.Clock;
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
}
