package io.jvmm.monitor.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jvmm.kvm.testing.RequiresKvm;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** With {@code jvmm.qmp-dir} set, every VM has a QMP socket there, owner-only, named after the VM. */
@QuarkusTest
@TestProfile(QmpServiceTest.WithQmpDir.class)
class QmpServiceTest {
    static final Path DIR = createDir();

    /** Runs the service with a QMP directory. */
    public static final class WithQmpDir implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("jvmm.qmp-dir", DIR.toString());
        }
    }

    /**
     * One place per test JVM: the profile and the test may be loaded by different class loaders,
     * each running this. Under the temporary directory, not target/: a socket needs a file system
     * that has them (the project's tree may be on a network file system that does not).
     */
    private static Path createDir() {
        try {
            return Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir"),
                    "jvmm-qmp-test-" + ProcessHandle.current().pid()));
        } catch (java.io.IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    @RequiresKvm
    void aVmsQmpSocketAnswersAndIsGoneWithTheVm() throws Exception {
        String id = Api.create("smp-work", "2", "name", "qmp-vm");
        Path sock = DIR.resolve("qmp-vm.qmp");
        try {
            assertEquals(sock.toString(), given().get("/vms/{id}", id).then().extract().path("qmp"));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(sock)));
            ObjectMapper json = new ObjectMapper();
            try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                ch.connect(UnixDomainSocketAddress.of(sock));
                BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(ch),
                        StandardCharsets.UTF_8));
                OutputStream out = Channels.newOutputStream(ch);
                assertTrue(json.readTree(in.readLine()).has("QMP"));
                out.write("{\"execute\": \"qmp_capabilities\"}\n{\"execute\": \"query-name\"}\n{\"execute\": \"stop\"}\n"
                        .getBytes(StandardCharsets.UTF_8));
                out.flush();
                assertEquals("{}", json.readTree(in.readLine()).get("return").toString());
                assertEquals("qmp-vm", json.readTree(in.readLine()).at("/return/name").asText());
                JsonNode stopEvent = json.readTree(in.readLine());
                assertEquals("STOP", stopEvent.get("event").asText());
                assertEquals("{}", json.readTree(in.readLine()).get("return").toString());
                assertEquals("paused", Api.status(id), "QMP's stop went through the same service method");
            }
        } finally {
            given().delete("/vms/{id}", id).then().statusCode(204);
        }
        assertTrue(!Files.exists(sock), "the socket goes with the VM");
    }
}
