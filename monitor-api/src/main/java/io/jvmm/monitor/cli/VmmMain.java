package io.jvmm.monitor.cli;

import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * The process entry point of {@code ./vmm}. Plain runs ({@code ./vmm run GUEST}) need no HTTP
 * server, so they are handled here without starting Quarkus; {@code serve} and
 * {@code run --monitor} start the Quarkus service.
 */
@QuarkusMain
public final class VmmMain {
    private VmmMain() {
    }

    /** Parses the command line and runs the command; exits with its status. */
    public static void main(String... args) {
        System.exit(VmmCommand.execute(args));
    }
}
