package io.jvmm.monitor.cli;

import io.quarkus.runtime.Quarkus;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code vmm serve}: the REST monitor service, owning any number of VMs (none at start). */
@Command(name = "serve", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Run the REST monitor service. It starts with no VM; create them with POST /vms.",
            "Listens on 127.0.0.1:8080 unless told otherwise. API: /openapi; metrics: /q/metrics;",
            "readiness (KVM usable): /q/health/ready.", ""},
        footer = {"", "Examples:",
            "  ./vmm serve",
            "  ./vmm serve --socket /run/jvmm.sock",
            "  JVMM_ACCESS_TOKEN=$(cat token) ./vmm serve --host 0.0.0.0 --port 8080", ""})
final class ServeCommand implements Callable<Integer> {
    @Mixin
    ListenOptions listen;

    @Override
    public Integer call() throws IOException {
        String problem = listen.validate();
        if (problem != null) {
            System.err.println("jvmm: " + problem);
            return ExitCodes.BAD_INPUT;
        }
        ServiceLaunch.set(new ServiceLaunch(null, listen.apply()));
        Quarkus.run(ServiceApp.class, (code, failure) -> {
            if (failure != null) {
                System.err.println("jvmm: the service failed to start: " + rootMessage(failure));
            }
            System.exit(failure != null && code == 0 ? 1 : code);
        });
        return ExitCodes.OK;
    }

    static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.getMessage() == null ? c.toString() : c.getMessage();
    }
}
