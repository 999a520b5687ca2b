package io.jvmm.core.testing;

import io.jvmm.guests.BundledGuests;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

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
     * The arguments after the binary with which the project runs a guest image under QEMU (the
     * tests run the same list with {@code ./vmm run} too).
     */
    public static List<String> guestArguments(Path image, String smp, String memory, String append) {
        List<String> args = new ArrayList<>(List.of("-enable-kvm", "-cpu", "host,-arch-capabilities",
                "-display", "none", "-serial", "stdio", "-monitor", "none", "-device",
                "isa-debug-exit,iobase=0xf4,iosize=0x04", "-no-reboot", "-smp", smp, "-m", memory, "-kernel",
                image.toString()));
        if (append != null && !append.isEmpty()) {
            args.add("-append");
            args.add(append);
        }
        return args;
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
            List<String> cmd = new ArrayList<>(List.of(BINARY));
            cmd.addAll(guestArguments(image, smp, memory, append));
            return exec(cmd, timeoutSeconds, null);
        } finally {
            try (var s = Files.list(dir)) {
                for (Path f : s.toList()) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    /**
     * Boots the kernel file {@code kernel} (through QEMU's own loader: PVH for a vmlinux) with
     * {@code -smp smp -m memory -cpu cpu -append append -no-reboot}, and stops QEMU when a line of its
     * output matches {@code stopAt}, when KVM reports an internal (emulation) error, on which QEMU
     * would pause and wait, or after {@code timeoutSeconds}.
     */
    public static Result runKernel(Path kernel, String smp, String memory, String cpu, String append,
                                   int timeoutSeconds, Pattern stopAt) throws IOException, InterruptedException {
        List<String> cmd = List.of(BINARY, "-enable-kvm", "-cpu", cpu, "-display", "none", "-serial", "stdio",
                "-monitor", "none", "-no-reboot", "-smp", smp, "-m", memory, "-kernel", kernel.toString(),
                "-append", append);
        return exec(cmd, timeoutSeconds, stopAt == null ? INTERNAL_ERROR
                : Pattern.compile(stopAt.pattern() + "|" + INTERNAL_ERROR.pattern()));
    }

    /** What QEMU prints when KVM cannot run an instruction (and then pauses the VM). */
    private static final Pattern INTERNAL_ERROR = Pattern.compile("KVM internal error|emulation failure");

    /** Runs {@code cmd}, stdout and stderr together, until it exits, a line matches {@code stopAt}, or the timeout. */
    private static Result exec(List<String> cmd, int timeoutSeconds, Pattern stopAt)
            throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(stopAt != null)
                .redirectError(stopAt != null ? ProcessBuilder.Redirect.PIPE : ProcessBuilder.Redirect.DISCARD).start();
        p.getOutputStream().close();
        StringBuilder out = new StringBuilder();
        CountDownLatch stopped = new CountDownLatch(1);
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (out) {
                        out.append(line).append('\n');
                    }
                    if (stopAt != null && stopAt.matcher(line).find()) {
                        stopped.countDown();
                    }
                }
            } catch (IOException e) {
                // the process was killed
            } finally {
                stopped.countDown();
            }
        });
        reader.start();
        boolean signalled = stopped.await(timeoutSeconds, TimeUnit.SECONDS); // output ended, or a stop line
        if (signalled) {
            p.waitFor(2, TimeUnit.SECONDS);
        }
        boolean exited = !p.isAlive();
        if (!exited) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        reader.join(10_000);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        String text;
        synchronized (out) {
            text = out.toString();
        }
        return new Result(text, exited ? p.exitValue() : -1, ms, !signalled);
    }
}
