package io.jvmm.monitor.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.guests.BundledGuests;
import io.jvmm.kvm.testing.RequiresKvm;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.config.HttpClientConfig;
import io.restassured.config.RestAssuredConfig;
import io.restassured.http.ContentType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * Kernels over REST come only from the image directory ({@code jvmm.image-dir}): a name that leads
 * outside it, through {@code ..}, an absolute path or a symbolic link, is a 403 that says so, and
 * the file is never opened (one such file is a FIFO, on which an open for reading would block the
 * request past its 30 s socket timeout).
 */
@QuarkusTest
@TestProfile(ImageDirectoryTest.WithImageDir.class)
class ImageDirectoryTest {
    /** An answer within this, or the request is taken to hang (as on opening the FIFO). */
    private static final RestAssuredConfig TIMEOUT = RestAssuredConfig.config()
            .httpClient(HttpClientConfig.httpClientConfig().setParam("http.socket.timeout", 30_000));

    /**
     * Runs the service with an image directory holding hello.elf, junk.bin, sub/, and links out of
     * it. The profile may be loaded by more than one class loader, each making its own tree: the
     * test finds the one the service uses through the service's configuration ({@link #root()}).
     */
    public static final class WithImageDir implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("jvmm.image-dir", createTree().resolve("images").toString());
        }
    }

    /** The root of the tree the service's image directory is in. */
    private static Path root() {
        return Path.of(ConfigProvider.getConfig().getValue("jvmm.image-dir", String.class)).getParent();
    }

    private static Path createTree() {
        try {
            Path root = Files.createTempDirectory("jvmm-image-dir");
            Path images = Files.createDirectories(root.resolve("images"));
            Files.write(images.resolve("hello.elf"), BundledGuests.image("hello").orElseThrow());
            Files.write(images.resolve("junk.bin"), new byte[] {'M', 'Z', 0, 0});
            Files.createDirectories(images.resolve("sub"));
            Files.write(root.resolve("outside.elf"), BundledGuests.image("hello").orElseThrow());
            Files.createSymbolicLink(images.resolve("escape.elf"), root.resolve("outside.elf"));
            Path fifo = root.resolve("outside.fifo");
            Process p = new ProcessBuilder("mkfifo", fifo.toString()).start();
            assertEquals(0, p.waitFor(), "mkfifo");
            Files.createSymbolicLink(images.resolve("fifo.elf"), fifo);
            Files.createSymbolicLink(images.resolve("sub").resolve("up.elf"), Path.of("..", "hello.elf"));
            return root;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void refused(String body, int status, String... descParts) {
        var then = given().config(TIMEOUT).contentType(ContentType.JSON).body(body).post("/vms").then().statusCode(status)
                .body("error.class", equalTo("GenericError"));
        for (String part : descParts) {
            then.body("error.desc", containsString(part));
        }
    }

    @Test
    void namesLeadingOutsideTheDirectoryAreRefusedWithoutOpeningAnything() {
        refused("{\"kernel\": \"../outside.elf\"}", 403, "'../outside.elf' is outside the image directory");
        refused("{\"kernel\": \"" + root().resolve("outside.elf") + "\"}", 403, "is outside the image directory");
        refused("{\"kernel\": \"/etc/passwd\"}", 403, "is outside the image directory");
        refused("{\"kernel\": \"sub/../../outside.elf\"}", 403, "is outside the image directory");
        refused("{\"kernel\": \"escape.elf\"}", 403, "leads through a symbolic link to", "outside.elf");
        refused("{\"kernel\": \"fifo.elf\"}", 403, "leads through a symbolic link to", "outside.fifo");
        refused("{\"guest\": \"hello\", \"initrd\": \"../outside.elf\"}", 403, "\"initrd\"", "outside the image");
        refused("{\"kernel\": \"\"}", 403, "outside the image directory");
        refused("{\"kernel\": \".\"}", 403, "outside the image directory");
    }

    @Test
    void namesInsideThatAreNotKernelsSayWhat() {
        refused("{\"kernel\": \"nothere.elf\"}", 404, "no file 'nothere.elf' in the image directory");
        refused("{\"kernel\": \"sub\"}", 400, "'sub' is not a regular file");
        refused("{\"kernel\": \"junk.bin\"}", 400, "neither a Multiboot ELF, an ELF vmlinux with a PVH entry note, "
                + "nor a bzImage");
        refused("{\"kernel\": \"hello.elf\", \"guest\": \"hello\"}", 400, "Both \"guest\" and \"kernel\" given");
        refused("{\"kernel\": \"nul\\u0000.elf\"}", 400, "is not a file name");
    }

    @Test
    @RequiresKvm
    void aKernelInsideTheDirectoryBootsAndALinkThatStaysInsideIsFollowed() throws Exception {
        for (String name : new String[] {"hello.elf", "sub/up.elf"}) {
            String id = given().contentType(ContentType.JSON).body("{\"kernel\": \"" + name + "\", \"append\": "
                    + "\"exit=7\"}").post("/vms").then().statusCode(201).extract().path("id");
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            String status;
            do {
                Thread.sleep(50);
                status = given().get("/vms/{id}", id).then().statusCode(200).extract().path("status");
            } while (!status.equals("shutdown") && !status.equals("failed") && System.nanoTime() < deadline);
            String body = given().get("/vms/{id}", id).then().extract().asString();
            assertTrue(body.contains("\"code\":7"), "hello ends with its exit=7: " + body);
            given().get("/vms/{id}", id).then()
                    .body("guest", equalTo(root().resolve("images").resolve("hello.elf").toRealPath().toString()));
            given().delete("/vms/{id}", id).then().statusCode(204);
        }
        assertTrue(Files.exists(root().resolve("outside.fifo")));
    }
}
