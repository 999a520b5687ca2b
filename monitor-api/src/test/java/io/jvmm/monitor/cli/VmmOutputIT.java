package io.jvmm.monitor.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * In a plain {@code ./vmm run}, standard output is the guest's console (COM1): nothing else may
 * write there. Needs no KVM: without it the run ends at the open of /dev/kvm, with it the guest
 * runs; either way the JVM has been made to warn.
 */
class VmmOutputIT {
    @Test
    void theJvmsOwnWarningsGoToStderrNotToTheGuestsConsole(@TempDir Path dir) throws Exception {
        // Dumping a class-data archive at exit makes the JVM warn (classes it cannot archive).
        Launcher.Run r = Launcher.runWith(Map.of("JVMM_JAVA_OPTS", "-XX:ArchiveClassesAtExit="
                + dir.resolve("classes.jsa")), "run", "hello");
        assertTrue(r.status() == 0 || r.status() == ExitCodes.NO_KVM, r.status() + ": " + r.err());
        assertFalse(r.out().contains("[warning]"), "a JVM warning on the guest's console:\n" + r.out());
        assertTrue(r.err().contains("[warning][cds]"), "the JVM did not warn; the test proves nothing:\n" + r.err());
    }
}
