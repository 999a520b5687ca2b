package io.jvmm.monitor.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * In a plain {@code ./vmm run}, standard output is the guest's console (COM1): nothing else may
 * write there. Needs no KVM: without it the run ends at the open of /dev/kvm, with it the guest
 * runs; either way the JVM has been made to warn.
 */
class VmmOutputIT {
    @Test
    void theJvmsOwnWarningsGoToStderrNotToTheGuestsConsole() throws Exception {
        // Large pages asked for on a host that has none configured (HugePages_Total 0, as on the
        // reference host) make the JVM warn. (The class-data archive's warnings, used here before,
        // are silenced by ./vmm since it starts with the build's archive.)
        Launcher.Run r = Launcher.runWith(Map.of("JVMM_JAVA_OPTS", "-XX:+UseLargePages"), "run", "hello");
        assertTrue(r.status() == 0 || r.status() == ExitCodes.NO_KVM, r.status() + ": " + r.err());
        assertFalse(r.out().contains("[warning]"), "a JVM warning on the guest's console:\n" + r.out());
        assertTrue(r.err().contains("[warning][pagesize]"), "the JVM did not warn (a host with huge pages "
                + "configured does not); the test proves nothing:\n" + r.err());
    }
}
