package io.jvmm.monitor.cli;

import io.jvmm.core.machine.MachineExit;
import io.jvmm.monitor.service.ManagedVm;
import io.jvmm.monitor.service.VmService;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** The Quarkus side of {@code serve} and {@code run --monitor}. */
public class ServiceApp implements QuarkusApplication {
    @Inject
    VmService service;

    @Override
    public int run(String... args) throws Exception {
        ServiceLaunch launch = ServiceLaunch.current();
        String socket = System.getProperty("jvmm.socket");
        if (socket != null) {
            Files.setPosixFilePermissions(Path.of(socket), PosixFilePermissions.fromString("rw-------"));
        }
        if (launch.vm() == null) {
            System.err.println("jvmm: serving on " + launch.where() + " (API: /q/openapi, metrics: /q/metrics)");
            Quarkus.waitForExit();
            return ExitCodes.OK;
        }
        try (QemuCompatOptions.SerialTarget serial = launch.serial()) {
            ManagedVm vm = service.create(launch.vm(), serial.sink(), true);
            if (launch.qmp() != null) {
                service.serveQmp(vm, launch.qmp());
            }
            if (!launch.where().isEmpty()) {
                System.err.println("jvmm: " + vm.id() + " running; monitor at " + launch.where() + "/vms/" + vm.id()
                        + "/hmp");
            }
            MachineExit exit = vm.machine().exitFuture().get();
            vm.awaitQmpAnswers(2000);
            serial.close();
            return RunCommand.ended(exit);
        }
    }
}
