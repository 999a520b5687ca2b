package io.jvmm.monitor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.jvmm.core.machine.MachineExit;
import io.jvmm.core.machine.MachineExit.Kind;
import org.junit.jupiter.api.Test;

/** Point 9 of the hardening issue: {@code run} and {@code run --monitor} end a run with the same status. */
class ExitCodesTest {
    @Test
    void runAndRunWithMonitorAgreeOnTheStatusOfADestroyedMachine() {
        MachineExit quit = new MachineExit(Kind.DESTROYED, -1, "destroyed while running");
        // Both commands end through RunCommand.ended, which uses this one mapping.
        assertEquals(ExitCodes.OK, ExitCodes.forExit(quit), "quit ends a run with 0, as in QEMU");
        assertEquals("destroyed while running", ExitCodes.explain(quit));
    }

    @Test
    void everyKindHasOneStatus() {
        assertEquals(3, ExitCodes.forExit(new MachineExit(Kind.GUEST_EXIT, 3, "")));
        assertEquals(0x2a, ExitCodes.forExit(new MachineExit(Kind.GUEST_EXIT, 0x12a, "")), "low 8 bits");
        assertEquals(ExitCodes.OK, ExitCodes.forExit(new MachineExit(Kind.POWER_OFF, -1, "")));
        assertEquals(ExitCodes.OK, ExitCodes.forExit(MachineExit.resetUnderNoReboot("vcpu-1")),
                "a reset under -no-reboot ends the run as QEMU's does, with status 0");
        assertEquals(ExitCodes.GUEST_FAULT, ExitCodes.forExit(new MachineExit(Kind.GUEST_FAULT, -1, "")));
        assertEquals(ExitCodes.GUEST_FAULT, ExitCodes.forExit(new MachineExit(Kind.VMM_ERROR, -1, "")));
    }

    @Test
    void onlyTheGuestsOwnResultGoesWithoutAWord() {
        assertNull(ExitCodes.explain(new MachineExit(Kind.GUEST_EXIT, 0, "vcpu-0 wrote 0")));
        assertEquals("vcpu-0 requested ACPI power-off (S5)",
                ExitCodes.explain(new MachineExit(Kind.POWER_OFF, -1, "vcpu-0 requested ACPI power-off (S5)")));
    }
}
