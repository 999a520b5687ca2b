package io.jvmm.monitor.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs the real {@code ./vmm} launcher (the packaged application) as a separate process. */
public final class Launcher {
    private Launcher() {
    }

    /** What a run printed and how it ended. */
    record Run(int status, String out, String err) {
        List<String> errLines() {
            return err.isEmpty() ? List.of() : List.of(err.split("\n"));
        }
    }

    public static Path script() {
        String p = System.getProperty("jvmm.launcher");
        if (p == null) {
            throw new IllegalStateException("jvmm.launcher is not set; run through Maven failsafe");
        }
        return Path.of(p);
    }

    /** The launcher's command line with {@code args}, to start it as a process of one's own. */
    public static List<String> command(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(script().toString());
        cmd.addAll(List.of(args));
        return cmd;
    }

    static Run run(String... args) throws IOException, InterruptedException {
        return runWith(Map.of(), args);
    }

    /** {@link #run} with {@code env} added to the launcher's environment. */
    static Run runWith(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> cmd = command(args);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> slurp(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> slurp(p.getErrorStream()));
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("./vmm " + String.join(" ", args) + " did not finish in 180 s");
        }
        return new Run(p.exitValue(), out.join(), err.join());
    }

    private static String slurp(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
