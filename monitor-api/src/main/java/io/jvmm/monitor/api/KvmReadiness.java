package io.jvmm.monitor.api;

import io.jvmm.kvm.Kvm;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** /q/health/ready: the service is ready when /dev/kvm can be opened (probed once per process). */
@Readiness
@ApplicationScoped
public class KvmReadiness implements HealthCheck {
    @Override
    public HealthCheckResponse call() {
        var b = HealthCheckResponse.named("kvm").withData("device", Kvm.DEVICE);
        return Kvm.isAvailable() ? b.up().build() : b.down().withData("cause", Kvm.unavailabilityCause()).build();
    }
}
