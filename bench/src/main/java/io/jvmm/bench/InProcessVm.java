package io.jvmm.bench;

import io.jvmm.core.boot.MultibootImage;
import io.jvmm.core.machine.Machine;
import io.jvmm.core.machine.MachineConfig;
import io.jvmm.core.machine.SmpTopology;
import io.jvmm.guests.BundledGuests;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** A bundled guest in a {@link Machine} of this JVM, with its serial output captured. */
final class InProcessVm implements AutoCloseable {
    final Machine machine;
    private final ByteArrayOutputStream console = new ByteArrayOutputStream();

    InProcessVm(String guest, int cpus, String append) throws Exception {
        byte[] elf = BundledGuests.image(guest).orElseThrow(() -> new IOException("no bundled guest " + guest));
        MachineConfig config = MachineConfig.builder(MultibootImage.parse(guest, elf)).id("bench-" + guest)
                .topology(SmpTopology.parse(Integer.toString(cpus))).memorySize(64L << 20)
                .commandLine(append == null ? guest : guest + " " + append)
                .meterRegistry(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)).serial(this::serial).build();
        machine = Machine.create(config);
    }

    private void serial(int b) {
        synchronized (console) {
            console.write(b);
        }
    }

    String console() {
        synchronized (console) {
            return console.toString(StandardCharsets.UTF_8);
        }
    }

    void awaitConsole(String text, Duration wait) throws Exception {
        Duration timeout = Env.patience(wait);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!console().contains(text)) {
            if (System.nanoTime() > deadline) {
                throw new IOException("no '" + text + "' within " + timeout.toSeconds() + " s: " + console());
            }
            Thread.sleep(10);
        }
    }

    @Override
    public void close() {
        machine.destroy();
    }
}
