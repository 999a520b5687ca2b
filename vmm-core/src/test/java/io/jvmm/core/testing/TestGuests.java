package io.jvmm.core.testing;

import io.jvmm.core.boot.BootImageException;
import io.jvmm.core.boot.MultibootImage;
import io.jvmm.core.machine.ConfigException;
import io.jvmm.core.machine.Machine;
import io.jvmm.core.machine.MachineConfig;
import io.jvmm.core.machine.MachineExit;
import io.jvmm.core.machine.SmpTopology;
import io.jvmm.guests.BundledGuests;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Builds machines running the bundled guests, with their serial output captured. */
public final class TestGuests {
    private TestGuests() {
    }

    /** The bundled guest {@code name}, parsed. */
    public static MultibootImage image(String name) {
        try {
            byte[] bytes = BundledGuests.image(name)
                    .orElseThrow(() -> new AssertionError("guest " + name + " is not bundled; built: " + BundledGuests.names()));
            return MultibootImage.parse(name, bytes);
        } catch (BootImageException e) {
            throw new AssertionError(e);
        }
    }

    /** A serial sink that keeps everything written, thread-safe. */
    public static final class Console implements io.jvmm.core.devices.SerialSink {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        @Override
        public synchronized void write(int b) {
            out.write(b);
        }

        /** Everything written so far. */
        public synchronized String text() {
            return out.toString(StandardCharsets.UTF_8);
        }
    }

    /** A config builder for guest {@code name} with {@code smp} CPUs and args appended to the command line. */
    public static MachineConfig.Builder config(String name, String smp, String args, Console console) {
        try {
            return MachineConfig.builder(image(name)).topology(SmpTopology.parse(smp))
                    .commandLine(args.isEmpty() ? name : name + " " + args).serial(console).vcpuTimeoutMs(20_000);
        } catch (ConfigException e) {
            throw new AssertionError(e);
        }
    }

    /** Creates, starts and runs a machine to its end (at most {@code timeoutMs}), then destroys it. */
    public static Result run(MachineConfig config, Console console, long timeoutMs) throws Exception {
        try (Machine m = Machine.create(config)) {
            m.start();
            MachineExit exit = m.awaitExit(timeoutMs);
            return new Result(exit, console.text(), m);
        }
    }

    /** How a run ended and what it printed. */
    public record Result(MachineExit exit, String output, Machine machine) {
    }
}
