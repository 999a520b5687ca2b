package io.jvmm.monitor.cli;

import io.jvmm.monitor.service.LaunchSpec;

/**
 * What the command line asked the Quarkus service to do once it is up: serve (no VM), or run one
 * VM with its monitor (REST at {@code where}, or none; QMP at {@code qmp}, or none) and exit with
 * the guest's result. Set before Quarkus starts; read by
 * {@link ServiceApp}.
 */
record ServiceLaunch(LaunchSpec vm, String where, java.nio.file.Path qmp) {
    private static volatile ServiceLaunch current = new ServiceLaunch(null, "", null);

    static ServiceLaunch current() {
        return current;
    }

    static void set(ServiceLaunch launch) {
        current = launch;
    }
}
