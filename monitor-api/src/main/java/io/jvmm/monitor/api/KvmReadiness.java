package io.jvmm.monitor.api;

import io.jvmm.kvm.Kvm;
import io.jvmm.kvm.RunPath;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * /q/health/ready: the service is ready when /dev/kvm can be opened (probed once per process).
 * The data also says how KVM_RUN is called ({@code runPath}: {@code JNI}, or {@code JNA} with the
 * reason the shim did not load), since the JNA fallback works but makes every exit slower.
 */
@Readiness
@ApplicationScoped
public class KvmReadiness implements HealthCheck {
    @Override
    public HealthCheckResponse call() {
        var b = HealthCheckResponse.named("kvm").withData("device", Kvm.DEVICE)
                .withData("runPath", RunPath.preferred().name());
        if (RunPath.shimUnavailabilityCause() != null) {
            b = b.withData("runShim", RunPath.shimUnavailabilityCause());
        }
        return Kvm.isAvailable() ? b.up().build() : b.down().withData("cause", Kvm.unavailabilityCause()).build();
    }
}
