package io.jvmm.monitor.metrics;

import io.jvmm.monitor.service.VmService;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * {@code GET /q/metrics}: everything in {@link MetricsRegistry}'s registry, plus the per-VM series of
 * {@link VmMetricsCollector}, in the exposition format the client's {@code Accept} header asks for
 * (Prometheus text 0.0.4 by default, OpenMetrics when asked, as Prometheus does). On the service's
 * own listener, behind its access checks; {@link MetricsListener} serves the same on a port of its own.
 */
@ApplicationScoped
public class MetricsEndpoint {
    /** Where the metrics are, on the service's listener and on the metrics listener. */
    public static final String PATH = "/q/metrics";
    static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    static final String TEXT = "text/plain; version=0.0.4; charset=utf-8";

    @Inject
    PrometheusMeterRegistry registry;

    @Inject
    VmService service;

    void routes(@Observes Router router) {
        registry.getPrometheusRegistry().register(new VmMetricsCollector(service::list));
        router.get(PATH).blockingHandler(this::handle, false);
    }

    /** Answers a scrape. Runs on a worker thread: a scrape walks every VM. */
    void handle(RoutingContext ctx) {
        String accept = ctx.request().getHeader("Accept");
        String type = accept != null && accept.contains("application/openmetrics-text") ? OPENMETRICS : TEXT;
        ctx.response().putHeader("Content-Type", type).end(Buffer.buffer(registry.scrape(type)));
    }
}
