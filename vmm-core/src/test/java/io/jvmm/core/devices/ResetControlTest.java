package io.jvmm.core.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The reset control register at 0xCF9. */
class ResetControlTest {
    private final RecordingGuestRequests machine = new RecordingGuestRequests();
    private final ResetControl rc = new ResetControl(machine);

    @Test
    void aWriteWithRstCpuResetsOnBehalfOfTheWritingCpu() {
        rc.write(0, 1, ResetControl.SYS_RST | ResetControl.RST_CPU, 3);
        assertEquals(List.of(3), machine.resets);
    }

    @Test
    void aWriteWithoutRstCpuOnlyLatchesTheModeBits() {
        rc.write(0, 1, ResetControl.SYS_RST | ResetControl.FULL_RST, 0);
        assertEquals(List.of(), machine.resets);
        assertEquals(ResetControl.SYS_RST | ResetControl.FULL_RST, rc.read(0, 1, 0));
        rc.reset();
        assertEquals(0, rc.read(0, 1, 0));
    }
}
