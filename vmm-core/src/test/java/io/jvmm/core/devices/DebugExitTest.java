package io.jvmm.core.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** DebugExit: QEMU's isa-debug-exit at 0xf4. */
class DebugExitTest {
    private final RecordingGuestRequests machine = new RecordingGuestRequests();
    private final DebugExit dev = new DebugExit(machine);

    @Test
    void portAndWidth() {
        assertEquals(0xf4, DebugExit.PORT);
        assertEquals(4, DebugExit.SIZE);
    }

    @Test
    void writeEndsTheRunWithTheValueCutToTheAccessSize() {
        dev.write(0, 1, 0x1ff, 0);
        dev.write(0, 2, 0x12345, 1);
        dev.write(0, 4, 0x1_2345_6789L, 2);
        dev.write(0, 8, 0xffff_ffff_ffff_ffffL, 3);
        assertEquals(List.of(new RecordingGuestRequests.Exit(0, 0xff), new RecordingGuestRequests.Exit(1, 0x2345),
                new RecordingGuestRequests.Exit(2, 0x2345_6789L), new RecordingGuestRequests.Exit(3, 0xffff_ffffL)),
                machine.exits);
    }

    @Test
    void zeroIsAnOrdinaryResult() {
        dev.write(0, 1, 0, 5);
        assertEquals(List.of(new RecordingGuestRequests.Exit(5, 0)), machine.exits);
    }

    @Test
    void readsReturnZeroAndEndNothing() {
        assertEquals(0, dev.read(0, 1, 0));
        assertEquals(0, dev.read(3, 4, 0));
        assertEquals(0, machine.exits.size());
    }
}
