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

    /**
     * The commands answered on the HTTP I/O thread are exactly those that read published state
     * only; anything that touches the vCPUs, the Big Lock or a VM's end runs on a worker.
     */
    @Test
    void onlyCommandsThatReadPublishedStateAreAnsweredWithoutAWorker() {
        java.util.Set<String> noWait = new java.util.TreeSet<>();
        for (String line : new String[] {"info registers", "info registers -a", "info registers -a --snapshot",
                "info registers 1", "info cpus", "info status", "info kvm", "info sync-profile", "cpu 1", "stop",
                "cont", "system_reset", "system_powerdown", "nmi", "quit", "help", "help info"}) {
            if (!HmpParser.parse(line).mayWait()) {
                noWait.add(line);
            }
        }
        assertEquals(java.util.Set.of("cpu 1", "help", "help info", "info cpus", "info kvm", "info status",
                "info sync-profile"), noWait);
    }

    @Test
    void helpListsTheSnapshotForm() {
        assertTrue(HmpParser.HELP.containsKey("info registers [-a [--snapshot]|N]"), HmpParser.HELP.keySet().toString());
    }
}
