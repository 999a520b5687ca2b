package io.jvmm.core.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The 8042 keyboard controller at 0x60/0x64, driven through a bus as the product registers it. */
class I8042Test {
    private final RecordingGuestRequests machine = new RecordingGuestRequests();
    private final I8042 kbc = new I8042(machine);
    private final Bus pio = new Bus("pio");

    I8042Test() {
        pio.add(I8042.PORT, I8042.SIZE, "i8042-data", kbc);
        pio.add(I8042.COMMAND_PORT, I8042.SIZE, "i8042-command", kbc.commandPort());
    }

    private void command(int c) {
        pio.write(I8042.COMMAND_PORT, 1, c, 2);
    }

    private void data(int b) {
        pio.write(I8042.PORT, 1, b, 2);
    }

    private int status() {
        return (int) pio.read(I8042.COMMAND_PORT, 1, 0);
    }

    private int readData() {
        return (int) pio.read(I8042.PORT, 1, 0);
    }

    private List<Integer> drain() {
        List<Integer> out = new ArrayList<>();
        while ((status() & I8042.STATUS_OBF) != 0) {
            out.add(readData());
        }
        return out;
    }

    @Test
    void powersOnEmptyWithoutTheSystemFlag() {
        assertEquals(I8042.STATUS_UNLOCKED, status());
        assertEquals(0, readData());
    }

    @Test
    void selfTestAnswers55AndSetsTheSystemFlag() {
        command(0xaa);
        assertEquals(I8042.STATUS_UNLOCKED | I8042.STATUS_OBF | I8042.STATUS_SYS | I8042.STATUS_CMD, status());
        assertEquals(0x55, readData());
        assertEquals(I8042.STATUS_UNLOCKED | I8042.STATUS_SYS | I8042.STATUS_CMD, status());
    }

    @Test
    void configByteIsReadAndWrittenAndCarriesTheSystemFlag() {
        command(0x20);
        assertEquals(List.of(I8042.DEFAULT_CONFIG), drain());
        command(0x60);
        data(0x47);
        assertEquals(I8042.STATUS_SYS, status() & (I8042.STATUS_SYS | I8042.STATUS_CMD), "data write clears CMD");
        command(0x20);
        assertEquals(List.of(0x47), drain());
        assertEquals(List.of(), machine.resets);
    }

    @Test
    void interfaceTestsPass() {
        command(0xab);
        command(0xa9);
        assertEquals(List.of(0x00, 0x00), drain());
    }

    @Test
    void enableAndDisableCommandsToggleTheConfigBits() {
        command(0xa7);
        command(0xad);
        command(0x20);
        assertEquals(List.of(I8042.DEFAULT_CONFIG | I8042.CONFIG_AUX_DISABLED | I8042.CONFIG_KBD_DISABLED), drain());
        command(0xa8);
        command(0x20);
        assertEquals(List.of(I8042.DEFAULT_CONFIG | I8042.CONFIG_KBD_DISABLED), drain());
        command(0xae);
        command(0x20);
        assertEquals(List.of(I8042.DEFAULT_CONFIG), drain());
    }

    @Test
    void outputPortReadsBackAndOnlyItsResetLineResets() {
        command(0xd0);
        assertEquals(List.of(I8042.OUT_RESET | I8042.OUT_A20), drain());
        command(0xd1);
        data(I8042.OUT_RESET); // A20 off, still out of reset
        command(0xd0);
        assertEquals(List.of(I8042.OUT_RESET), drain());
        assertEquals(List.of(), machine.resets);
    }

    @Test
    void writingTheOutputPortWithBit0ClearResets() {
        command(0xd1);
        data(I8042.OUT_A20);
        assertEquals(List.of(2), machine.resets);
    }

    @Test
    void pulsingTheResetLineResets() {
        command(0xfe);
        assertEquals(List.of(2), machine.resets);
    }

    @Test
    void pulsesOfOtherLinesDoNotReset() {
        command(0xff);
        command(0xfd);
        command(0xf1);
        assertEquals(List.of(), machine.resets);
        command(0xf0); // all four lines, the reset line among them
        assertEquals(List.of(2), machine.resets);
    }

    @Test
    void keyboardAcksGenericCommandsAndParameters() {
        data(0xf4);
        data(0xed); // set LEDs, then its parameter
        data(0x02);
        assertEquals(List.of(0xfa, 0xfa, 0xfa), drain());
        assertEquals(0, status() & I8042.STATUS_CMD);
    }

    @Test
    void keyboardResetAndIdentifyAndEcho() {
        data(0xff);
        assertEquals(List.of(0xfa, 0xaa), drain());
        data(0xf2);
        assertEquals(List.of(0xfa, 0xab, 0x83), drain());
        data(0xee);
        assertEquals(List.of(0xee), drain());
    }

    @Test
    void queueIsFifoAndAnEmptyBufferRepeatsTheLastByte() {
        command(0xaa);
        command(0xab);
        data(0xf2);
        assertEquals(0x55, readData());
        assertEquals(0x00, readData());
        assertEquals(0xfa, readData());
        assertEquals(0xab, readData());
        assertEquals(I8042.STATUS_OBF, status() & I8042.STATUS_OBF);
        assertEquals(0x83, readData());
        assertEquals(0, status() & I8042.STATUS_OBF);
        assertEquals(0x83, readData());
        assertEquals(0x83, readData());
    }

    @Test
    void queueHoldsAtMostItsLimit() {
        for (int i = 0; i < I8042.QUEUE_LIMIT + 4; i++) {
            command(0xaa);
        }
        assertEquals(I8042.QUEUE_LIMIT, drain().size());
    }

    @Test
    void writeToOutputBufferCommandsEchoWithTheAuxFlagForAux() {
        command(0xd3);
        data(0x5a);
        assertEquals(I8042.STATUS_OBF | I8042.STATUS_AUX, status() & (I8042.STATUS_OBF | I8042.STATUS_AUX));
        assertEquals(0x5a, readData());
        command(0xd2);
        data(0x1c);
        assertEquals(I8042.STATUS_OBF, status() & (I8042.STATUS_OBF | I8042.STATUS_AUX));
        assertEquals(0x1c, readData());
        command(0xd4);
        data(0xf4); // to the absent mouse: swallowed, not taken as a keyboard command
        assertEquals(List.of(), drain());
    }

    @Test
    void aCommandCancelsAPendingDataByte() {
        command(0xd1);
        command(0xaa);
        data(0x00); // now a keyboard byte, not an output-port value
        assertEquals(List.of(), machine.resets);
        assertEquals(List.of(0x55, 0xfa), drain());
    }

    @Test
    void offsetsBetweenTheTwoPortsReadAllOnes() {
        assertEquals(0xff, kbc.read(1, 1, 0));
        assertEquals(0xff, kbc.read(3, 1, 0));
        assertEquals(I8042.STATUS_UNLOCKED, kbc.read(4, 1, 0));
    }

    @Test
    void resetEmptiesTheQueueAndRestoresPowerOnState() {
        command(0xaa);
        command(0xad);
        command(0xd1);
        data(0x01);
        data(0xff);
        pio.resetDevices();
        assertEquals(I8042.STATUS_UNLOCKED, status());
        assertEquals(0, readData());
        command(0x20);
        command(0xd0);
        assertEquals(List.of(I8042.DEFAULT_CONFIG, I8042.DEFAULT_OUTPUT), drain());
    }
}
