package io.jvmm.monitor.metrics;

import io.jvmm.core.metrics.VmmMetrics;
import io.jvmm.monitor.service.Versions;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/** {@code jvmm_build_info{version, commit, java}}, always 1: what build of the service is answering. */
@ApplicationScoped
public class BuildInfo {
    @Inject
    MeterRegistry registry;

    void register(@Observes StartupEvent e) {
        Gauge.builder(VmmMetrics.BUILD_INFO, () -> 1).description("The service's build; always 1")
                .tag("version", Versions.jvmm()).tag("commit", Versions.commit())
                .tag("java", System.getProperty("java.version", "unknown")).register(registry);
    }
}
