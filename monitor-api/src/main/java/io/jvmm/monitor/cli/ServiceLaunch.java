package io.jvmm.monitor.cli;

import io.jvmm.monitor.service.LaunchSpec;

/**
 * What the command line asked the Quarkus service to do once it is up: serve (no VM), or run one
 * VM with its monitor (REST at {@code where}, or none; QMP at {@code qmp}, or none; COM1 to
 * {@code serial}, opened by the command line) and exit with the guest's result. Set before Quarkus
 * starts; read by {@link ServiceApp}.
 */
record ServiceLaunch(LaunchSpec vm, String where, java.nio.file.Path qmp, QemuCompatOptions.SerialTarget serial) {
    private static volatile ServiceLaunch current = new ServiceLaunch(null, "", null, null);

    static ServiceLaunch current() {
        return current;
    }

    static void set(ServiceLaunch launch) {
        current = launch;
    }
}
