package io.jvmm.monitor.ci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code .ci/CheckReports.java}, the gate after the test run, run as CI runs it (a source-file
 * program in its own JVM) over reports written here: it must fail on a failed or errored test and
 * on a skip that could have run, and pass only a clean set.
 */
class CheckReportsTest {
    private static final boolean KVM_HERE = new File("/dev/kvm").canRead() && new File("/dev/kvm").canWrite();

    @TempDir
    Path dir;

    private static String report(String cases) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"t\">\n" + cases + "</testsuite>\n";
    }

    private void write(String body) throws Exception {
        Path reports = dir.resolve("m/target/surefire-reports");
        Files.createDirectories(reports);
        Files.writeString(reports.resolve("TEST-t.xml"), report(body));
    }

    private record Result(int status, String out) {
    }

    private Result check() throws Exception {
        Path script = Path.of("..", ".ci", "CheckReports.java").toAbsolutePath().normalize();
        assertTrue(Files.exists(script), script.toString());
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, script.toString(), dir.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        return new Result(p.exitValue(), out);
    }

    @Test
    void aCleanSetPasses() throws Exception {
        write("<testcase classname=\"a.B\" name=\"x\"/>\n");
        Result r = check();
        assertEquals(0, r.status(), r.out());
        assertTrue(r.out().contains("OK"), r.out());
    }

    @Test
    void aFailedTestFailsTheCheckEvenWithoutSkips() throws Exception {
        write("<testcase classname=\"a.B\" name=\"x\"><failure message=\"boom\"/></testcase>\n"
                + "<testcase classname=\"a.B\" name=\"y\"/>\n");
        Result r = check();
        assertEquals(1, r.status(), r.out());
        assertTrue(r.out().contains("failed: a.B.x"), r.out());
    }

    @Test
    void anErroredTestFailsTheCheck() throws Exception {
        write("<testcase classname=\"a.B\" name=\"x\"><error message=\"npe\"/></testcase>\n");
        assertEquals(1, check().status());
    }

    @Test
    void aSkipForAnotherReasonThanMissingKvmFails() throws Exception {
        write("<testcase classname=\"a.B\" name=\"x\"><skipped message=\"QEMU unavailable: not installed\"/></testcase>\n");
        assertEquals(1, check().status());
    }

    @Test
    void aKvmSkipFailsExactlyWhenThisMachineHasKvm() throws Exception {
        write("<testcase classname=\"a.B\" name=\"x\"><skipped message=\"KVM unavailable: open /dev/kvm failed\"/>"
                + "</testcase>\n<testcase classname=\"a.B\" name=\"y\"/>\n");
        assertEquals(KVM_HERE ? 1 : 0, check().status());
    }

    @Test
    void noTestsAtAllFails() throws Exception {
        Files.createDirectories(dir.resolve("m/target/surefire-reports"));
        assertEquals(1, check().status());
    }
}
