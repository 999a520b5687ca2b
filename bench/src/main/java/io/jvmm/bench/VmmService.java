package io.jvmm.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code ./vmm serve --port P} process on loopback, and the REST calls the benchmarks
 * make to it.
 */
final class VmmService implements AutoCloseable {
    final Process process;
    final int port;
    final Http http;
    final long startNanos;

    private VmmService(Process process, int port, long startNanos) {
        this.process = process;
        this.port = port;
        this.startNanos = startNanos;
        this.http = new Http("127.0.0.1", port);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Starts the service with {@code javaOpts} (JVMM_JAVA_OPTS) and waits until it answers. */
    static VmmService start(Env env, String logName, String javaOpts) throws Exception {
        int port = freePort();
        List<String> cmd = new ArrayList<>(List.of(env.launcher().toString(), "serve", "--port", Integer.toString(port)));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(env.work.resolve(logName + ".log").toFile());
        Map<String, String> e = pb.environment();
        if (javaOpts != null) {
            e.put("JVMM_JAVA_OPTS", javaOpts);
        } else {
            e.remove("JVMM_JAVA_OPTS");
        }
        long t0 = System.nanoTime();
        Process p = pb.start();
        VmmService s = new VmmService(p, port, t0);
        Duration ready = Env.patience(Duration.ofSeconds(60));
        long deadline = System.nanoTime() + ready.toNanos();
        while (true) {
            if (!p.isAlive()) {
                throw new IOException("./vmm serve exited with " + p.exitValue() + "; see "
                        + env.work.resolve(logName + ".log"));
            }
            try {
                if (s.http.get("/q/health/live").status() == 200) {
                    return s;
                }
            } catch (IOException ignored) {
                s.http.close();
            }
            if (System.nanoTime() > deadline) {
                s.close();
                throw new IOException("./vmm serve did not become ready within " + ready.toSeconds() + " s");
            }
            Thread.sleep(50);
        }
    }

    long pid() {
        return process.pid();
    }

    /** POST /vms; returns the id. */
    String create(String guest, int cpus, String append) throws Exception {
        String body = "{\"guest\": " + Json.quote(guest) + ", \"smp\": \"" + cpus + "\", \"memory\": \"64M\""
                + (append == null ? "" : ", \"append\": " + Json.quote(append)) + "}";
        Http.Response r = http.post("/vms", body);
        if (r.status() / 100 != 2) {
            throw new IOException("POST /vms answered " + r.status() + ": " + r.body());
        }
        return Json.stringField(r.body(), "id");
    }

    String console(String id) throws IOException {
        return http.get("/vms/" + id + "/console").body();
    }

    /** Waits until the VM's console contains {@code text}. */
    void awaitConsole(String id, String text, Duration wait) throws Exception {
        Duration timeout = Env.patience(wait);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String c = console(id);
            if (c.contains(text)) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IOException(id + ": no '" + text + "' on the console within " + timeout.toSeconds()
                        + " s; console: " + c);
            }
            Thread.sleep(20);
        }
    }

    /** An HMP command; returns the text, or throws on an error answer. */
    String hmp(String id, String commandLine) throws IOException {
        return hmp(http, id, commandLine);
    }

    /** {@link #hmp(String, String)} on another connection to this service (a load thread's own). */
    static String hmp(Http http, String id, String commandLine) throws IOException {
        Http.Response r = http.post("/vms/" + id + "/hmp", "{\"command-line\": " + Json.quote(commandLine) + "}");
        if (r.status() != 200) {
            throw new IOException("hmp '" + commandLine + "' answered " + r.status() + ": " + r.body());
        }
        return Json.stringField(r.body(), "return");
    }

    /**
     * The service's own timing of {@code command} from /q/metrics ({@code
     * jvmm_monitor_command_seconds}): {count, sum in seconds}.
     */
    double[] commandTimer(String command) throws IOException {
        return histogram("jvmm_monitor_command_seconds", "command=\"" + command + "\"");
    }

    /**
     * The count and sum (seconds) of histogram {@code family} in /q/metrics, added over the series
     * whose labels contain {@code label} (such as {@code phase="read"}).
     */
    double[] histogram(String family, String label) throws IOException {
        String text = http.get("/q/metrics").body();
        double count = 0;
        double sum = 0;
        for (String line : text.split("\n")) {
            if (line.startsWith("#") || !line.contains(label)) {
                continue;
            }
            String value = line.substring(line.lastIndexOf(' ') + 1);
            if (line.startsWith(family + "_count{")) {
                count += Double.parseDouble(value);
            } else if (line.startsWith(family + "_sum{")) {
                sum += Double.parseDouble(value);
            }
        }
        return new double[] {count, sum};
    }

    /** Runs {@code jcmd PID args...} against the service. */
    String jcmd(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("jcmd", Long.toString(pid())));
        cmd.addAll(List.of(args));
        return Env.capture(cmd, Duration.ofSeconds(60));
    }

    void destroy(String id) throws IOException {
        http.delete("/vms/" + id);
    }

    @Override
    public void close() {
        http.close();
        Env.stop(process, 20);
    }

    static Path logOf(Env env, String logName) {
        return env.work.resolve(logName + ".log");
    }
}
