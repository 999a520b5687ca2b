package io.jvmm.core.testing;

import io.jvmm.guests.BundledGuests;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a bundled guest image under QEMU with KVM, the way the project compares against it:
 * {@code -enable-kvm -cpu host,-arch-capabilities -display none -serial stdio -device
 * isa-debug-exit,iobase=0xf4,iosize=0x04 -kernel IMAGE}. ({@code -cpu host} alone aborts on PVM
 * hosts on MSR 0x10a.) QEMU exits with {@code (v << 1) | 1} for a guest write of {@code v};
 * {@link Result#guestValue()} undoes that.
 */
public final class Qemu {
    /** The binary looked up on PATH. */
    public static final String BINARY = "qemu-system-x86_64";

    private Qemu() {
    }

    /** Why QEMU cannot be used here, or null. */
    public static String unavailabilityCause() {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            File f = new File(dir, BINARY);
            if (f.canExecute()) {
                return null;
            }
        }
        return BINARY + " not found on PATH (apt-get install qemu-system-x86)";
    }

    /** QEMU's output, exit status and wall time. */
    public record Result(String output, int status, long millis, boolean timedOut) {
        /** The value the guest wrote to the debug-exit port, or -1 if QEMU ended another way. */
        public int guestValue() {
            return (status & 1) == 1 ? status >> 1 : -1;
        }
    }

    /**
     * Runs bundled guest {@code guest} with {@code -smp smp -m memory -append append}.
     *
     * @param timeoutSeconds QEMU is killed after this long
     */
    public static Result run(String guest, String smp, String memory, String append, int timeoutSeconds)
            throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("jvmm-qemu");
        try {
            Path image = BundledGuests.extract(guest, dir);
            List<String> cmd = new ArrayList<>(List.of(BINARY, "-enable-kvm", "-cpu", "host,-arch-capabilities",
                    "-display", "none", "-serial", "stdio", "-monitor", "none", "-device",
                    "isa-debug-exit,iobase=0xf4,iosize=0x04", "-no-reboot", "-smp", smp, "-m", memory, "-kernel",
                    image.toString()));
            if (append != null && !append.isEmpty()) {
                cmd.add("-append");
                cmd.add(append);
            }
            long t0 = System.nanoTime();
            Process p = new ProcessBuilder(cmd).redirectErrorStream(false)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            p.getOutputStream().close();
            byte[][] out = new byte[1][];
            Thread reader = new Thread(() -> {
                try {
                    out[0] = p.getInputStream().readAllBytes();
                } catch (IOException e) {
                    out[0] = new byte[0];
                }
            });
            reader.start();
            boolean done = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
            if (!done) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
            reader.join(10_000);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            String text = out[0] == null ? "" : new String(out[0], StandardCharsets.UTF_8);
            return new Result(text, done ? p.exitValue() : -1, ms, !done);
        } finally {
            try (var s = Files.list(dir)) {
                for (Path f : s.toList()) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(dir);
        }
    }
}
