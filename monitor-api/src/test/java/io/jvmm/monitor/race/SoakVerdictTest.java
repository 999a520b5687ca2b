package io.jvmm.monitor.race;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The soak's verdict per row, without KVM: it fails a product row on any failed run or failed
 * monitor call, and a control row that the suite stopped catching. (Point 8 of the hardening
 * issue: the soak used to assert only the product rows.)
 */
class SoakVerdictTest {
    private static SoakRun.Row row(SoakRun.Expect expect, int runs, int passes, int lost, int vmmErrors, int hangs,
                                   long loadErrors) {
        SoakRun.Row r = new SoakRun.Row("config", 8, expect);
        r.runs = runs;
        r.passes = passes;
        r.lost = lost;
        r.vmmErrors = vmmErrors;
        r.hangs = hangs;
        r.loadErrors = loadErrors;
        return r;
    }

    @Test
    void aCleanProductRowPasses() {
        assertNull(row(SoakRun.Expect.PASS, 50, 50, 0, 0, 0, 0).problem());
    }

    @Test
    void aProductRowWithFailedMonitorCallsFails() {
        String p = row(SoakRun.Expect.PASS, 50, 50, 0, 0, 0, 3).problem();
        assertTrue(p != null && p.contains("3 monitor calls failed"), p);
    }

    @Test
    void aProductRowWithALostEventFails() {
        assertTrue(row(SoakRun.Expect.PASS, 50, 49, 1, 0, 0, 0).problem().contains("1 of 50 runs failed"));
    }

    @Test
    void aControlThatIsNoLongerCaughtFailsTheSoak() {
        String p = row(SoakRun.Expect.LOSE_EVENT, 50, 50, 0, 0, 0, 0).problem();
        assertEquals("config, 8 vCPUs: the control was caught in only 0 of 50 runs; the suite no longer detects "
                + "the defect it puts back", p);
        assertTrue(row(SoakRun.Expect.VMM_ERROR, 50, 0, 0, 10, 0, 0).problem() != null);
        assertTrue(row(SoakRun.Expect.HANG, 50, 40, 0, 0, 10, 0).problem() != null);
    }

    @Test
    void aControlCaughtInMostRunsPassesEvenWithFailedCalls() {
        assertNull(row(SoakRun.Expect.LOSE_EVENT, 50, 1, 49, 0, 0, 12).problem(), "its VM dies under the load");
        assertNull(row(SoakRun.Expect.HANG, 50, 0, 0, 0, 50, 0).problem());
    }
}
