package io.jvmm.core.firmware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jvmm.core.machine.SmpTopology;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The tables read by ACPICA, the AML parser Linux itself uses, through its disassembler
 * ({@code iasl -d}, Debian's acpica-tools, which {@code .ci/run} installs): every table must
 * disassemble without an error, and the DSDT must come out as the objects jvmm means it to hold.
 */
class AcpiDisassemblyTest {
    @TempDir
    Path dir;

    private static String iasl() {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, "iasl"))) {
                return Path.of(d, "iasl").toString();
            }
        }
        return null;
    }

    private String disassemble(String name, byte[] table) throws Exception {
        String iasl = iasl();
        assumeTrue(iasl != null, "iasl not found: install acpica-tools (.ci/run does)");
        Path file = dir.resolve(name + ".dat");
        Files.write(file, table);
        Process p = new ProcessBuilder(iasl, "-d", file.toString()).directory(dir.toFile())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "iasl did not finish");
        assertEquals(0, p.exitValue(), "iasl -d " + name + " failed:\n" + out);
        assertTrue(!out.matches("(?s).*\\b(Error|error)\\b.*") || out.contains("0 Errors"), out);
        return Files.readString(dir.resolve(name + ".dsl"));
    }

    private static byte[] table(AcpiTables.Image img, long at) {
        int off = (int) (at - img.base());
        int len = (int) Le.u32(img.bytes(), off + 4);
        return Arrays.copyOfRange(img.bytes(), off, off + len);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "4,maxcpus=8", "32"})
    void theDsdtDisassemblesToS5AndOneProcessorDevicePerCpu(String smp) throws Exception {
        SmpTopology t = SmpTopology.parse(smp);
        AcpiTables.Image img = new AcpiTables(t).build(0xe0000);
        String dsl = disassemble("dsdt", table(img, img.dsdt()));
        assertTrue(dsl.contains("Name (_S5, Package (0x04)"), dsl);
        assertTrue(dsl.contains("Scope (\\_SB)"), dsl);
        for (int i = 0; i < t.maxCpus(); i++) {
            String dev = "Device (" + AcpiTables.processorName(i) + ")";
            int at = dsl.indexOf(dev);
            assertTrue(at > 0, dev + " missing:\n" + dsl);
            String body = dsl.substring(at, dsl.indexOf('}', at));
            assertTrue(body.contains("Name (_HID, \"ACPI0007\" /* Processor Device */)"), body);
            assertTrue(body.contains("Name (_UID, " + (i == 0 ? "Zero" : i == 1 ? "One"
                    : String.format("0x%02X", i)) + ")"), body);
            assertTrue(body.contains("Name (_STA, " + (i < t.cpus() ? "0x0F" : "Zero") + ")"), body);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"FACP", "APIC"})
    void theOtherTablesDisassembleWithoutErrors(String signature) throws Exception {
        AcpiTables.Image img = new AcpiTables(SmpTopology.parse("4")).build(0xe0000);
        long at = signature.equals("FACP") ? img.fadt() : img.madt();
        String dsl = disassemble(signature.toLowerCase(), table(img, at));
        assertTrue(dsl.contains("Signature : \"" + signature + "\""), dsl);
        if (signature.equals("FACP")) {
            assertTrue(dsl.matches("(?s).*Reset Register.*Address : 0000000000000CF9.*"), dsl);
            assertTrue(dsl.matches("(?s).*Value to cause reset : 06.*"), dsl);
        }
    }
}
