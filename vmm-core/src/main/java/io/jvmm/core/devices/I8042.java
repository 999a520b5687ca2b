package io.jvmm.core.devices;

import java.util.ArrayDeque;

/**
 * The PC's 8042 keyboard controller, with a keyboard that answers commands but never has keys
 * pressed: enough for Linux's i8042 probe and for the two ways guests reset through it (command
 * 0xFE, and an output-port write with the reset line low). No interrupt is raised; guests that
 * probe poll the status register, as Linux's probe does.
 *
 * <p>Offsets are from {@link #PORT}: 0 is the data port, 4 the status (read) and command (write)
 * port, and 1-3 read all ones. Register it as two one-byte ranges, so ports 0x61-0x63 stay free
 * (0x61 belongs to the PIT's speaker gate, which KVM's in-kernel PIT already handles):
 * <pre>
 *   pio.add(I8042.PORT, I8042.SIZE, "i8042-data", kbc);
 *   pio.add(I8042.COMMAND_PORT, I8042.SIZE, "i8042-command", kbc.commandPort());
 * </pre>
 * Guarded by the Big Lock.
 */
public final class I8042 implements BusDevice {
    /** The data port. */
    public static final int PORT = 0x60;
    /** The status (read) and command (write) port. */
    public static final int COMMAND_PORT = 0x64;
    /** The width of each of the two ranges. */
    public static final int SIZE = 1;

    /** Status bit 0: the output buffer holds a byte for the guest. */
    public static final int STATUS_OBF = 0x01;
    /** Status bit 2: the system flag, set by the self-test. */
    public static final int STATUS_SYS = 0x04;
    /** Status bit 3: the last write went to the command port. */
    public static final int STATUS_CMD = 0x08;
    /** Status bit 4: the keyboard is not inhibited (no key lock here). */
    public static final int STATUS_UNLOCKED = 0x10;
    /** Status bit 5: the byte in the output buffer came from the aux (mouse) side. */
    public static final int STATUS_AUX = 0x20;

    /** Configuration byte bit 2: the system flag, which the controller copies to the status. */
    public static final int CONFIG_SYS = 0x04;
    /** Configuration byte bit 4: keyboard interface disabled. */
    public static final int CONFIG_KBD_DISABLED = 0x10;
    /** Configuration byte bit 5: aux interface disabled. */
    public static final int CONFIG_AUX_DISABLED = 0x20;
    /** Output-port bit 0: the system reset line, 1 = not in reset. */
    public static final int OUT_RESET = 0x01;
    /** Output-port bit 1: the A20 gate. */
    public static final int OUT_A20 = 0x02;

    /** Power-on configuration: keyboard and aux interrupts enabled, both interfaces enabled. */
    static final int DEFAULT_CONFIG = 0x03;
    /** Power-on output port: out of reset, A20 on. */
    static final int DEFAULT_OUTPUT = OUT_RESET | OUT_A20;
    /** Bytes the output queue holds; Linux's flush gives up after reading this many. */
    static final int QUEUE_LIMIT = 16;

    private static final int STATUS_OFFSET = COMMAND_PORT - PORT;
    /** Marks an aux byte in the queue, above the 8 data bits. */
    private static final int AUX_BYTE = 0x100;
    private static final int ACK = 0xfa;

    private final GuestRequests machine;
    private final ArrayDeque<Integer> output = new ArrayDeque<>();
    private final BusDevice commandPort = new CommandPort();
    private int config = DEFAULT_CONFIG;
    private int outputPort = DEFAULT_OUTPUT;
    private boolean systemFlag;
    private boolean lastWriteWasCommand;
    /** The command waiting for its data byte (0x60, 0xD1-0xD4), or 0. */
    private int pendingCommand;
    private int lastRead;

    /** A controller that resets {@code machine} when the guest pulls the reset line. */
    public I8042(GuestRequests machine) {
        this.machine = machine;
    }

    /** The command/status port as a device of its own, for a one-byte range at {@link #COMMAND_PORT}. */
    public BusDevice commandPort() {
        return commandPort;
    }

    @Override
    public long read(long offset, int size, int cpu) {
        if (offset == 0) {
            Integer b = output.poll();
            if (b != null) {
                lastRead = b & 0xff;
            }
            return lastRead; // an empty buffer still holds the last byte
        }
        return offset == STATUS_OFFSET ? status() : 0xff;
    }

    @Override
    public void write(long offset, int size, long value, int cpu) {
        int b = (int) value & 0xff;
        if (offset == 0) {
            lastWriteWasCommand = false;
            writeData(b, cpu);
        } else if (offset == STATUS_OFFSET) {
            lastWriteWasCommand = true;
            pendingCommand = 0;
            command(b, cpu);
        }
    }

    /** Empties the output queue and returns to the power-on state. */
    @Override
    public void reset() {
        output.clear();
        config = DEFAULT_CONFIG;
        outputPort = DEFAULT_OUTPUT;
        systemFlag = false;
        lastWriteWasCommand = false;
        pendingCommand = 0;
        lastRead = 0;
    }

    private int status() {
        Integer head = output.peek();
        int s = STATUS_UNLOCKED;
        if (head != null) {
            s |= STATUS_OBF | ((head & AUX_BYTE) != 0 ? STATUS_AUX : 0);
        }
        return s | (systemFlag ? STATUS_SYS : 0) | (lastWriteWasCommand ? STATUS_CMD : 0);
    }

    private void command(int c, int cpu) {
        if (c >= 0xf0) {
            // Pulse output-port lines 3-0 whose bits are 0; only line 0, the reset line, does anything.
            if ((c & OUT_RESET) == 0) {
                machine.guestReset(cpu);
            }
            return;
        }
        switch (c) {
            case 0x20 -> queue(config);
            case 0x60, 0xd1, 0xd2, 0xd3, 0xd4 -> pendingCommand = c;
            case 0xa7 -> config |= CONFIG_AUX_DISABLED;
            case 0xa8 -> config &= ~CONFIG_AUX_DISABLED;
            case 0xa9, 0xab -> queue(0x00); // interface tests: no clock or data line stuck
            case 0xaa -> {
                systemFlag = true;
                queue(0x55);
            }
            case 0xad -> config |= CONFIG_KBD_DISABLED;
            case 0xae -> config &= ~CONFIG_KBD_DISABLED;
            case 0xd0 -> queue(outputPort);
            default -> { } // a command this controller lacks does nothing, as on many real ones
        }
    }

    private void writeData(int b, int cpu) {
        int c = pendingCommand;
        pendingCommand = 0;
        switch (c) {
            case 0x60 -> {
                config = b;
                systemFlag = (b & CONFIG_SYS) != 0;
            }
            case 0xd1 -> {
                outputPort = b;
                if ((b & OUT_RESET) == 0) {
                    machine.guestReset(cpu);
                }
            }
            case 0xd2 -> queue(b); // echo as if from the keyboard
            case 0xd3 -> queue(b | AUX_BYTE); // echo as if from the aux port: Linux's loop test
            case 0xd4 -> { } // to the aux device: none is attached
            default -> keyboard(b);
        }
    }

    /** The keyboard's answer to command {@code b}; parameter bytes (of 0xED, 0xF0, 0xF3) get the ACK too. */
    private void keyboard(int b) {
        switch (b) {
            case 0xee -> queue(0xee); // echo
            case 0xf2 -> { // identify: an MF2 keyboard
                queue(ACK);
                queue(0xab);
                queue(0x83);
            }
            case 0xff -> { // reset: ACK, then self-test passed
                queue(ACK);
                queue(0xaa);
            }
            default -> queue(ACK);
        }
    }

    private void queue(int b) {
        if (output.size() < QUEUE_LIMIT) {
            output.add(b);
        }
    }

    /** Port 0x64 alone: forwards to the controller at the command port's offset. */
    private final class CommandPort implements BusDevice {
        @Override
        public long read(long offset, int size, int cpu) {
            return I8042.this.read(STATUS_OFFSET, size, cpu);
        }

        @Override
        public void write(long offset, int size, long value, int cpu) {
            I8042.this.write(STATUS_OFFSET, size, value, cpu);
        }

        // reset() stays the default no-op: the controller, on the data-port range, resets once.
    }
}
