package io.jvmm.monitor.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The register-read forms of {@code info registers}: which read each asks for, and what is refused. */
class HmpParserTest {
    @Test
    void theRegisterReadFormsAskForTheReadsTheySay() {
        assertEquals(new MonitorCommand.InfoRegisters(false, -1, false), HmpParser.parse("info registers"));
        assertEquals(new MonitorCommand.InfoRegisters(false, 3, false), HmpParser.parse("info registers 3"));
        assertEquals(new MonitorCommand.InfoRegisters(true, -1, false), HmpParser.parse("info registers -a"));
        assertEquals(new MonitorCommand.InfoRegisters(true, -1, true), HmpParser.parse("info registers -a --snapshot"));
        assertEquals(new MonitorCommand.InfoRegisters(true, -1, true), HmpParser.parse("info registers --snapshot -a"));
        assertEquals("info registers -a --snapshot", HmpParser.parse("info registers --snapshot -a").text());
    }

    @Test
    void aSnapshotIsOfEveryCpuOnly() {
        for (String line : new String[] {"info registers --snapshot", "info registers 1 --snapshot",
                "info registers -a -a", "info registers -a --snapshot --snapshot"}) {
            MonitorCommandException e = assertThrows(MonitorCommandException.class, () -> HmpParser.parse(line), line);
            assertTrue(e.getMessage().startsWith("'info registers' takes '-a' (with '--snapshot'"), e.getMessage());
        }
    }

    @Test
    void helpListsTheSnapshotForm() {
        assertTrue(HmpParser.HELP.containsKey("info registers [-a [--snapshot]|N]"), HmpParser.HELP.keySet().toString());
    }
}
