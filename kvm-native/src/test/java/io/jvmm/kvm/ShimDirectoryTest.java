package io.jvmm.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where {@link RunShim} loads its library from, in a fresh JVM each (it loads once per class
 * loader): from {@value RunShim#DIR_PROPERTY} when that directory holds it (as {@code ./vmm} runs
 * the packaged application), from a copy of the jar's otherwise, and never silently from the jar
 * when the named file is broken. Needs no KVM.
 */
class ShimDirectoryTest {
    @TempDir
    Path dir;

    @TempDir
    Path results;

    /**
     * The child JVM's main: writes to the file {@code args[0]} why the shim is not loaded ("null"
     * when it is), then where it is mapped from (a file: the JVM itself may print to stdout).
     */
    public static final class Probe {
        public static void main(String[] args) throws IOException {
            StringBuilder b = new StringBuilder().append(RunShim.unavailabilityCause()).append('\n');
            for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
                if (line.contains(RunShim.FILE) || line.contains("jvmm-kvm-")) {
                    b.append(line.substring(line.indexOf('/'))).append('\n');
                    break;
                }
            }
            Files.writeString(Path.of(args[0]), b);
        }
    }

    private String[] probe(String nativeDir) throws Exception {
        Path result = results.resolve("probe.txt");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-D" + RunShim.DIR_PROPERTY + "=" + nativeDir,
                Probe.class.getName(), result.toString()).redirectErrorStream(true).start();
        String printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the probe did not end");
        assertEquals(0, p.exitValue(), printed);
        return Files.readString(result).strip().split("\n");
    }

    @Test
    void theLibraryInTheNamedDirectoryIsLoadedAsItIs() throws Exception {
        try (InputStream in = RunShim.class.getResourceAsStream(RunShim.RESOURCE)) {
            Files.copy(in, dir.resolve(RunShim.FILE));
        }
        String[] out = probe(dir.toString());
        assertEquals("null", out[0], String.join("\n", out));
        assertEquals(dir.resolve(RunShim.FILE).toString(), out[1]);
    }

    @Test
    void withoutItThereTheJarsCopyIsLoaded() throws Exception {
        String[] out = probe(dir.toString());
        assertEquals("null", out[0], String.join("\n", out));
        assertTrue(out[1].contains("jvmm-kvm-") && out[1].endsWith("(deleted)"), out[1]);
    }

    @Test
    void aBrokenLibraryThereIsReportedNotPassedOver() throws Exception {
        Files.writeString(dir.resolve(RunShim.FILE), "not a shared object");
        String[] out = probe(dir.toString());
        assertTrue(out[0].startsWith("loading " + dir.resolve(RunShim.FILE) + " (jvmm.native.dir) failed: "
                + "java.lang.UnsatisfiedLinkError"), out[0]);
        assertEquals(1, out.length, "a copy was loaded after all: " + String.join("\n", out));
    }
}
