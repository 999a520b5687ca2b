package io.jvmm.monitor.cli;

import io.jvmm.monitor.service.ImageDirectory;
import io.quarkus.runtime.Quarkus;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code vmm serve}: the REST monitor service, owning any number of VMs (none at start). */
@Command(name = "serve", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Run the REST monitor service. It starts with no VM; create them with POST /vms.",
            "Listens on 127.0.0.1:8080 unless told otherwise. API: /q/openapi; metrics: /q/metrics;",
            "readiness (KVM usable): /q/health/ready.", ""},
        footer = {"", "Examples:",
            "  ./vmm serve",
            "  ./vmm serve --socket /run/jvmm.sock",
            "  ./vmm serve --image-dir /var/lib/jvmm/images     # then POST /vms {\"kernel\": \"vmlinux\"}",
            "  JVMM_ACCESS_TOKEN=$(cat token) ./vmm serve --host 0.0.0.0 --port 8080", ""})
final class ServeCommand implements Callable<Integer> {
    @Mixin
    ListenOptions listen;

    @Option(names = "--image-dir", paramLabel = "DIR",
            description = "Directory whose kernels and initrds POST /vms may name (\"kernel\", \"initrd\"); "
                    + "without it the service runs bundled guests only (sets jvmm.image-dir).")
    String imageDir;

    @Override
    public Integer call() throws IOException {
        String problem = listen.validate();
        if (problem != null) {
            System.err.println("jvmm: " + problem);
            return ExitCodes.BAD_INPUT;
        }
        if (imageDir != null) {
            try {
                ImageDirectory.of(imageDir);
            } catch (IllegalArgumentException e) {
                System.err.println("jvmm: --image-dir: " + e.getMessage());
                return ExitCodes.BAD_INPUT;
            }
            System.setProperty("jvmm.image-dir", imageDir);
        }
        ServiceLaunch.set(new ServiceLaunch(null, listen.apply(), null, null));
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
