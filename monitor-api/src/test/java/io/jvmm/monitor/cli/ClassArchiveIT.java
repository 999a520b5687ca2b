package io.jvmm.monitor.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The build's class-data archive ({@code scripts/cds-archive}) is the one {@code ./vmm} starts
 * with, and it matches the application: the command-line entry point and the machine come from
 * its top layer, not from their jars. An archive that does not match is ignored silently, so
 * without this check a broken archive step would only show as a slower start. Needs no KVM:
 * without it the run ends at the open of /dev/kvm, after both classes are loaded.
 */
class ClassArchiveIT {
    @Test
    void aPlainRunMapsTheApplicationsClassesFromTheBuildsArchive(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("classes.log");
        Launcher.Run r = Launcher.runWith(Map.of("JVMM_JAVA_OPTS", "-Xlog:class+load=info:file=" + log), "run",
                "hello");
        assertTrue(r.status() == 0 || r.status() == ExitCodes.NO_KVM, r.status() + ": " + r.err());
        String classes = Files.readString(log);
        for (String c : new String[] {"io.jvmm.monitor.cli.VmmMain", "io.jvmm.core.machine.Machine"}) {
            assertTrue(classes.contains(c + " source: shared objects file (top)"), c + " was not mapped from the "
                    + "archive; its line in the class-loading log: " + classes.lines().filter(l -> l.contains(c + " "))
                    .findFirst().orElse("(not loaded)"));
        }
    }
}
