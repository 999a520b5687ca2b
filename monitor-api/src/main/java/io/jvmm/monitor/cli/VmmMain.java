package io.jvmm.monitor.cli;

import io.quarkus.runtime.annotations.QuarkusMain;
import java.util.logging.Level;
import java.util.logging.Logger;

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
        // Below INFO nothing is logged (the service sets its own levels when it starts); without
        // this, the logging Quarkus' launcher installs keeps every FINE record JNA's loading
        // writes, and building one looks up the host name and the process.
        Logger.getLogger("").setLevel(Level.INFO);
        System.exit(VmmCommand.execute(args));
    }
}
