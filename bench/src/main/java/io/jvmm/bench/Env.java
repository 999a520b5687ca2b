package io.jvmm.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Where things are, what bench/run built, and how long to run. */
final class Env {
    final Path repo;
    final Path work;
    final boolean quick;
    final long started = System.nanoTime();

    Env(Path repo, Path work, boolean quick) {
        this.repo = repo;
        this.work = work;
        this.quick = quick;
    }

    /** The exit-loop guest, assembled by bench/run. */
    Path exitElf() {
        return work.resolve("exitloop.elf");
    }

    /** The C peer of the exit benchmark, built by bench/run. */
    Path exitC() {
        return work.resolve("exitloop");
    }

    /** The launcher, ./vmm. */
    Path launcher() {
        return repo.resolve("vmm");
    }

    /**
     * A bundled guest's image, extracted from the guests jar on the class path (the bytes jvmm
     * runs), for QEMU's -kernel.
     */
    Path guest(String name) {
        try {
            Path dir = work.resolve("guests");
            Files.createDirectories(dir);
            return io.jvmm.guests.BundledGuests.extract(name, dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path sections() {
        return work.resolve("sections");
    }

    /**
     * {@code BENCH_WAIT_SCALE} (default 1) multiplies every wait for a process, a guest or a
     * monitor to come up: under emulation (scripts/nested-kvm) everything runs about 30x slower.
     * It changes no figure; it only keeps a slow machine from being taken for a broken one.
     */
    static final double WAIT_SCALE = waitScale(System.getenv("BENCH_WAIT_SCALE"));

    static double waitScale(String value) {
        if (value == null || value.isBlank()) {
            return 1;
        }
        double d = Double.parseDouble(value.strip());
        if (!(d >= 1 && d <= 1000)) {
            throw new IllegalArgumentException("BENCH_WAIT_SCALE must be a number from 1 to 1000, not " + value);
        }
        return d;
    }

    /** {@code d} times {@link #WAIT_SCALE}. */
    static Duration patience(Duration d) {
        return Duration.ofMillis((long) (d.toMillis() * WAIT_SCALE));
    }

    /** Picks {@code full} on a full run, {@code quick} with --quick. */
    int count(int full, int quickCount) {
        return quick ? quickCount : full;
    }

    void log(String format, Object... args) {
        String elapsed = String.format("%4ds", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
        System.err.println("[bench " + LocalTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss")) + " "
                + elapsed + "] " + String.format(java.util.Locale.ROOT, format, args));
    }

    /**
     * Ends a child process: SIGTERM, up to {@code graceSeconds} for it to exit, then SIGKILL and up
     * to 10 s more. An interrupt kills it at once and keeps the thread's interrupt status.
     */
    static void stop(Process process, long graceSeconds) {
        process.destroy();
        try {
            if (!process.waitFor(graceSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    /** Runs a command to its end and returns its standard output; fails on a non-zero status. */
    static String capture(List<String> cmd, Duration timeout) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
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
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + " did not finish within " + timeout.toSeconds() + " s");
        }
        reader.join();
        String text = new String(out[0], StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " exited with " + p.exitValue() + ": " + text);
        }
        return text;
    }

    static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
