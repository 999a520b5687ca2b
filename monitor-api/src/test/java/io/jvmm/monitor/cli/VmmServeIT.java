package io.jvmm.monitor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.kvm.testing.RequiresKvm;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./vmm serve} and {@code ./vmm run --monitor} as processes: where they listen and who may talk to them. */
class VmmServeIT {
    @TempDir
    Path dir;

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private Path output;

    /** Starts the launcher with its output (stdout and stderr) going to a file, read with {@link #output()}. */
    private Process start(String... args) throws IOException {
        String[] cmd = new String[args.length + 1];
        cmd[0] = Launcher.script().toString();
        System.arraycopy(args, 0, cmd, 1, args.length);
        output = dir.resolve("output.txt");
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(output.toFile()).start();
    }

    private String output() throws IOException {
        return Files.readString(output, StandardCharsets.UTF_8);
    }

    private String stop(Process p) throws Exception {
        p.destroy();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        return output();
    }

    private static HttpClient http() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    private static HttpResponse<String> await(HttpClient http, HttpRequest req, long timeoutMs) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (true) {
            try {
                return http.send(req, HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                if (System.currentTimeMillis() > deadline) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
    }

    @Test
    void refusesANonLoopbackAddressWithoutAToken() throws Exception {
        Launcher.Run r = Launcher.run("serve", "--host", "0.0.0.0", "--port", Integer.toString(freePort()));
        assertEquals(2, r.status());
        assertEquals("jvmm: Listening on 0.0.0.0 exposes the VMs to the network: give an access token (--token-file "
                + "FILE or JVMM_ACCESS_TOKEN), or listen on 127.0.0.1 or a --socket\n", r.err());
    }

    @Test
    void theMetricsPortIsCheckedBeforeAnythingStartsAndSaysWhoseItIsWhenTaken() throws Exception {
        int port = freePort();
        Launcher.Run same = Launcher.run("serve", "--port", Integer.toString(port), "--metrics-port", Integer.toString(port));
        assertEquals(2, same.status(), same.err());
        assertEquals("jvmm: --metrics-port " + port + " is the service's --port; give the metrics listener a port of "
                + "its own\n", same.err());
        Launcher.Run zero = Launcher.run("serve", "--metrics-port", "0");
        assertEquals(2, zero.status(), zero.err());
        assertEquals("jvmm: Invalid --metrics-port 0: give 1-65535\n", zero.err());
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Launcher.Run busy = Launcher.run("serve", "--port", Integer.toString(freePort()), "--metrics-port",
                    Integer.toString(taken.getLocalPort()));
            assertEquals(1, busy.status(), busy.err());
            assertTrue(busy.err().contains("the metrics listener cannot listen on 127.0.0.1:" + taken.getLocalPort()
                    + ": Address already in use; choose another --metrics-port"), busy.err());
        }
    }

    @Test
    void refusesAnImageDirectoryThatIsNotOne() throws Exception {
        Path missing = dir.resolve("no-such-dir");
        Launcher.Run r = Launcher.run("serve", "--image-dir", missing.toString(), "--port", Integer.toString(freePort()));
        assertEquals(2, r.status(), r.err());
        assertTrue(r.err().startsWith("jvmm: --image-dir: jvmm.image-dir=" + missing + " cannot be used"), r.err());
        assertTrue(r.err().contains("point it at an existing directory"), r.err());
    }

    @Test
    void aNonLoopbackAddressWithATokenNeedsTheTokenOnEveryRequest() throws Exception {
        Path token = dir.resolve("token");
        Files.writeString(token, "abc123\n");
        int port = freePort();
        Process p = start("serve", "--host", "0.0.0.0", "--port", Integer.toString(port), "--token-file",
                token.toString());
        try {
            HttpClient http = http();
            URI uri = URI.create("http://127.0.0.1:" + port + "/vms");
            HttpResponse<String> without = await(http, HttpRequest.newBuilder(uri).build(), 60_000);
            assertEquals(401, without.statusCode());
            HttpResponse<String> with = http.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer abc123")
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, with.statusCode());
            assertEquals("{\"vms\":[]}", with.body());
            // The packaged service serves the stored OpenAPI document, behind the same token.
            URI doc = URI.create("http://127.0.0.1:" + port + "/q/openapi?format=json");
            assertEquals(401, http.send(HttpRequest.newBuilder(doc).build(), HttpResponse.BodyHandlers.ofString())
                    .statusCode());
            HttpResponse<String> api = http.send(HttpRequest.newBuilder(doc).header("Authorization", "Bearer abc123")
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, api.statusCode());
            assertTrue(api.body().contains("\"title\" : \"jvmm monitor API\""), api.body());
        } finally {
            stop(p);
        }
    }

    @Test
    @RequiresKvm
    void servesOnAUnixSocketReadableOnlyByItsOwner() throws Exception {
        Path sock = dir.resolve("jvmm.sock");
        Process p = start("serve", "--socket", sock.toString());
        try {
            long deadline = System.currentTimeMillis() + 60_000;
            while (!Files.exists(sock) && System.currentTimeMillis() < deadline) {
                Thread.sleep(100);
            }
            assertTrue(Files.exists(sock), "no socket appeared");
            Thread.sleep(500);
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(sock)));
            String answer = "";
            for (int i = 0; i < 50 && !answer.contains("\"status\": \"UP\""); i++) {
                answer = rawGet(sock, "/q/health/ready");
                Thread.sleep(100);
            }
            assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
            assertTrue(answer.contains("\"name\": \"kvm\""), answer);
            // The packaged application loads the KVM_RUN shim from its jar.
            assertTrue(answer.contains("\"runPath\": \"JNI\""), answer);
        } finally {
            String out = stop(p);
            assertTrue(out.contains("serving on unix:" + sock), out);
        }
    }

    private static String rawGet(Path socket, String path) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.write(ByteBuffer.wrap(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer buf = ByteBuffer.allocate(65536);
            while (ch.read(buf) > 0) {
                // read until the server closes
            }
            return new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
        }
    }

    @Test
    @RequiresKvm
    void runWithMonitorServesTheVmAndQuitEndsTheProcess() throws Exception {
        int port = freePort();
        Process p = start("run", "--monitor", "--port", Integer.toString(port), "-smp", "2", "smp-work");
        HttpClient http = http();
        URI hmp = URI.create("http://127.0.0.1:" + port + "/vms/vm-1/hmp");
        HttpResponse<String> status = await(http, HttpRequest.newBuilder(hmp)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"command-line\": \"info status\"}")).build(), 60_000);
        assertEquals("{\"return\":\"VM status: running\\n\"}", status.body());
        http.send(HttpRequest.newBuilder(hmp).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"command-line\": \"quit\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the process did not end after quit");
        String out = output();
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("smp-work: 2 CPUs up"), out);
        assertTrue(out.contains("jvmm: vm-1 running; monitor at http://127.0.0.1:" + port + "/vms/vm-1/hmp"), out);
    }
}
