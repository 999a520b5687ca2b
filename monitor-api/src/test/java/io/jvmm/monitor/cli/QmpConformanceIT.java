package io.jvmm.monitor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jvmm.core.testing.Qemu;
import io.jvmm.core.testing.RequiresQemu;
import io.jvmm.guests.BundledGuests;
import io.jvmm.kvm.testing.RequiresKvm;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One QMP script, run against QEMU and against {@code ./vmm run} started with the same command line
 * ({@code -S -qmp unix:PATH,server=on,wait=off} and the rest), compared command by command by the
 * shape of the answers: the keys, the JSON types, the error classes, and the events each command
 * brings. The differences that are not jvmm's to remove are listed in docs/api.md and here:
 * the greeting's capability list (QEMU offers "oob"), the contents of query-commands, and the
 * extra guest resets SeaBIOS makes after QEMU's system_reset.
 */
@RequiresKvm
@RequiresQemu
class QmpConformanceIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** The script: command, arguments; each step's answer and the events before it are compared. */
    private static final String[][] SCRIPT = {
        {"query-status", null},
        {"qmp_capabilities", null},
        {"qmp_capabilities", null},
        {"query-version", null},
        {"query-name", null},
        {"query-status", null},
        {"query-cpus-fast", null},
        {"query-commands", null},
        {"cont", null},
        {"stop", null},
        {"query-status", null},
        {"human-monitor-command", "{\"command-line\": \"info status\"}"},
        {"human-monitor-command", "{\"command-line\": \"info registers\", \"cpu-index\": 1}"},
        {"human-monitor-command", "{\"command-line\": \"bogus\"}"},
        {"cont", null},
        {"inject-nmi", null},
        {"system_reset", null},
        {"system_powerdown", null},
        {"foo", null},
        {"stop", "{\"bogus\": 1}"},
        {"human-monitor-command", "{}"},
        {"quit", null},
    };

    /** A QMP client: the greeting, then one answer per command with the events that came before it. */
    private static final class Client implements AutoCloseable {
        private final SocketChannel ch;
        private final BufferedReader in;
        private final OutputStream out;
        final JsonNode greeting;

        Client(Path socket) throws Exception {
            SocketChannel c = null;
            // The socket appears once the process has started: up to a few minutes under nested virtualization.
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(180);
            while (c == null && System.nanoTime() < deadline) {
                try {
                    c = SocketChannel.open(StandardProtocolFamily.UNIX);
                    c.connect(UnixDomainSocketAddress.of(socket));
                } catch (java.io.IOException e) {
                    c = null;
                    Thread.sleep(100);
                }
            }
            assertTrue(c != null, "no QMP socket at " + socket);
            ch = c;
            in = new BufferedReader(new InputStreamReader(Channels.newInputStream(ch), StandardCharsets.UTF_8));
            out = Channels.newOutputStream(ch);
            greeting = JSON.readTree(in.readLine());
        }

        /** The answer, and the names of the events before it. */
        Map.Entry<JsonNode, List<String>> run(String cmd, String args) throws Exception {
            String req = "{\"execute\": \"" + cmd + "\"" + (args == null ? "" : ", \"arguments\": " + args)
                    + ", \"id\": 1}\n";
            out.write(req.getBytes(StandardCharsets.UTF_8));
            out.flush();
            List<String> events = new ArrayList<>();
            while (true) {
                String line = in.readLine();
                assertTrue(line != null, cmd + ": the connection closed without an answer");
                JsonNode n = JSON.readTree(line);
                if (n.has("event")) {
                    if (n.get("event").asText().equals("RESET") && n.at("/data/guest").asBoolean()) {
                        continue; // SeaBIOS resets QEMU's machine again after system_reset; smp-work never does
                    }
                    events.add(n.get("event").asText() + shape(n));
                } else {
                    return Map.entry(n, events);
                }
            }
        }

        @Override
        public void close() throws Exception {
            ch.close();
        }
    }

    /** Keys and JSON types, recursively; arrays by the shape of their first element. */
    static String shape(JsonNode n) {
        if (n.isObject()) {
            StringBuilder sb = new StringBuilder("{");
            TreeSet<String> keys = new TreeSet<>();
            n.fieldNames().forEachRemaining(keys::add);
            for (String k : keys) {
                if (k.equals("desc")) {
                    sb.append("desc:string,");
                } else if (k.equals("class")) {
                    sb.append("class=").append(n.get(k).asText()).append(',');
                } else {
                    sb.append(k).append(':').append(shape(n.get(k))).append(',');
                }
            }
            return sb.append('}').toString();
        }
        if (n.isArray()) {
            Iterator<JsonNode> it = n.elements();
            return "[" + (it.hasNext() ? shape(it.next()) : "") + "]";
        }
        return n.isTextual() ? "string" : n.isNumber() ? "number" : n.isBoolean() ? "boolean" : "null";
    }

    private Map<String, String> transcript(List<String> launcher, Path socket) throws Exception {
        Process p = new ProcessBuilder(launcher).redirectErrorStream(true)
                .redirectOutput(dir.resolve(socket.getFileName() + ".log").toFile()).start();
        Map<String, String> t = new LinkedHashMap<>();
        Client client;
        try {
            client = new Client(socket);
        } catch (AssertionError e) {
            p.destroyForcibly();
            throw new AssertionError(e.getMessage() + "; the process printed:\n"
                    + java.nio.file.Files.readString(dir.resolve(socket.getFileName() + ".log")), e);
        }
        try (Client c = client) {
            t.put("greeting", shape(c.greeting.get("QMP").get("version")));
            int step = 0;
            for (String[] s : SCRIPT) {
                Map.Entry<JsonNode, List<String>> r = c.run(s[0], s[1]);
                t.put(++step + " " + s[0] + (s[1] == null ? "" : " " + s[1]), shape(r.getKey()) + " events "
                        + r.getValue());
                if (s[0].equals("cont") && step > 10 || s[0].equals("system_reset")) {
                    Thread.sleep(1500); // let the guest run (and, under QEMU, SeaBIOS finish its own resets)
                }
            }
        } finally {
            p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
            p.destroyForcibly();
        }
        return t;
    }

    @Test
    void theSameScriptGetsAnswersOfTheSameShapeFromQemuAndJvmm() throws Exception {
        Path image = BundledGuests.extract("smp-work", dir);
        List<String> common = List.of("-enable-kvm", "-cpu", "host,-arch-capabilities", "-display", "none", "-serial",
                "none", "-monitor", "none", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-smp", "2", "-m",
                "64M", "-name", "conformance", "-S", "-kernel", image.toString(), "-append", "report_ms=500");
        Path qsock = dir.resolve("qemu.qmp");
        List<String> qemu = new ArrayList<>(List.of(Qemu.BINARY));
        qemu.addAll(common);
        qemu.addAll(List.of("-qmp", "unix:" + qsock + ",server=on,wait=off"));
        Path jsock = dir.resolve("jvmm.qmp");
        List<String> jvmm = new ArrayList<>(Launcher.command("run"));
        jvmm.addAll(common);
        jvmm.addAll(List.of("-qmp", "unix:" + jsock + ",server=on,wait=off"));

        Map<String, String> q = transcript(qemu, qsock);
        Map<String, String> j = transcript(jvmm, jsock);
        Files.writeString(dir.getParent().resolve("qmp-conformance.txt"), "QEMU:\n" + q + "\njvmm:\n" + j + "\n");
        assertEquals(q.keySet(), j.keySet());
        List<String> differ = new ArrayList<>();
        for (String k : q.keySet()) {
            String qa = q.get(k);
            if (!qa.equals(j.get(k))) {
                differ.add(k + "\n  QEMU: " + qa + "\n  jvmm: " + j.get(k));
            }
        }
        assertTrue(differ.isEmpty(), "answers of another shape:\n" + String.join("\n", differ));
    }
}
