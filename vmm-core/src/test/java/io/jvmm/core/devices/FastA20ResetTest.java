package io.jvmm.core.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** System Control Port A at 0x92. */
class FastA20ResetTest {
    private final RecordingGuestRequests machine = new RecordingGuestRequests();
    private final FastA20Reset port = new FastA20Reset(machine);

    @Test
    void startsWithA20OnAndReadsBackTheA20Bit() {
        assertEquals(FastA20Reset.A20, port.read(0, 1, 0));
        port.write(0, 1, 0, 0);
        assertEquals(0, port.read(0, 1, 0));
        port.write(0, 1, FastA20Reset.A20, 0);
        assertEquals(FastA20Reset.A20, port.read(0, 1, 0));
        assertEquals(List.of(), machine.resets);
    }

    @Test
    void resetsOnTheRisingEdgeOfBit0Only() {
        port.write(0, 1, FastA20Reset.A20 | FastA20Reset.FAST_RESET, 1);
        assertEquals(List.of(1), machine.resets);
        assertEquals(FastA20Reset.A20 | FastA20Reset.FAST_RESET, port.read(0, 1, 0), "bit 0 reads back as written");
        port.write(0, 1, FastA20Reset.A20 | FastA20Reset.FAST_RESET, 1);
        assertEquals(List.of(1), machine.resets, "bit 0 still set: no edge");
        port.write(0, 1, FastA20Reset.A20, 1);
        port.write(0, 1, FastA20Reset.A20 | FastA20Reset.FAST_RESET, 3);
        assertEquals(List.of(1, 3), machine.resets);
    }

    @Test
    void resetClearsBit0AndTurnsA20On() {
        port.write(0, 1, FastA20Reset.FAST_RESET, 0);
        port.reset();
        assertEquals(FastA20Reset.A20, port.read(0, 1, 0));
        port.write(0, 1, FastA20Reset.A20 | FastA20Reset.FAST_RESET, 0);
        assertEquals(List.of(0, 0), machine.resets, "after reset a new edge resets again");
    }
}
