package io.jvmm.core.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.jvmm.kvm.Abi;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks {@link BootParams} against {@code <asm/bootparam.h>} (Debian: linux-libc-dev, which
 * installs it as /usr/include/x86_64-linux-gnu/asm/bootparam.h): for every marked constant it
 * writes a C expression (offsetof and sizeof for each field, sizeof for each struct, the value of
 * each macro), compiles one program with gcc, runs it and compares. Skipped, with the reason, when
 * gcc or the header is missing.
 */
class BootParamsLayoutTest {
    private static final List<Path> HEADER_PATHS = List.of(
            Path.of("/usr/include/x86_64-linux-gnu/asm/bootparam.h"), Path.of("/usr/include/asm/bootparam.h"));

    private record Check(String javaName, String cExpr, long javaValue) {
    }

    static List<Check> collectChecks() throws IllegalAccessException {
        List<Check> checks = new ArrayList<>();
        List<Class<?>> classes = new ArrayList<>(List.of(BootParams.class));
        classes.addAll(List.of(BootParams.class.getDeclaredClasses()));
        for (Class<?> c : classes) {
            Abi.Struct struct = c.getAnnotation(Abi.Struct.class);
            assertNotNull(struct, c.getSimpleName() + " lacks @Abi.Struct");
            Field size;
            try {
                size = c.getDeclaredField("SIZE");
            } catch (NoSuchFieldException e) {
                throw new AssertionError(c.getSimpleName() + " is marked @Abi.Struct but has no SIZE");
            }
            checks.add(new Check(c.getSimpleName() + ".SIZE", "sizeof(struct " + struct.value() + ")",
                    size.getLong(null)));
            for (Field f : c.getDeclaredFields()) {
                Abi.Field af = f.getAnnotation(Abi.Field.class);
                Abi.Value av = f.getAnnotation(Abi.Value.class);
                String name = c.getSimpleName() + "." + f.getName();
                if (af != null) {
                    String type = "struct " + struct.value();
                    checks.add(new Check(name, "offsetof(" + type + ", " + af.value() + ")", f.getLong(null)));
                    checks.add(new Check(name + "#size", "sizeof(((" + type + " *)0)->" + af.value() + ")",
                            af.size()));
                }
                if (av != null) {
                    checks.add(new Check(name, "(long long)(" + av.value() + ")", f.getLong(null)));
                }
            }
        }
        return checks;
    }

    @Test
    void everyMarkedConstantMatchesTheKernelHeader(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(HEADER_PATHS.stream().anyMatch(Files::isRegularFile),
                "<asm/bootparam.h> is not installed (none of " + HEADER_PATHS + "); on Debian: apt-get install "
                        + "linux-libc-dev");
        Assumptions.assumeTrue(onPath("gcc"), "gcc is not on the PATH");
        List<Check> checks = collectChecks();
        assertTrue(checks.size() > 50, "expected every field the loader touches, found " + checks.size() + " checks");
        StringBuilder c = new StringBuilder("#include <stdio.h>\n#include <stddef.h>\n#include <asm/bootparam.h>\n")
                .append("int main(void) {\n");
        for (Check k : checks) {
            c.append("  printf(\"%s %lld\\n\", \"").append(k.javaName).append("\", (long long)(")
                    .append(k.cExpr).append("));\n");
        }
        c.append("  return 0;\n}\n");
        Path src = dir.resolve("bootparam.c");
        Files.writeString(src, c);
        Path exe = dir.resolve("bootparam");
        String compiled = run(dir, "gcc", "-Wall", "-o", exe.toString(), src.toString());
        String out = run(dir, exe.toString());
        Map<String, Long> kernel = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            String[] parts = line.trim().split(" ");
            kernel.put(parts[0], Long.parseLong(parts[1]));
        }
        List<String> wrong = new ArrayList<>();
        for (Check k : checks) {
            Long v = kernel.get(k.javaName);
            if (v == null || v != k.javaValue) {
                wrong.add(k.javaName + ": Java " + k.javaValue + ", header " + v + " (" + k.cExpr + ")");
            }
        }
        assertTrue(wrong.isEmpty(), "Layout mismatches:\n" + String.join("\n", wrong) + "\n" + compiled);
        assertEquals(checks.size(), kernel.size());
    }

    @Test
    void knownValuesFromBootRst() {
        // Independent of gcc: the offsets boot.rst and zero-page.rst list.
        assertEquals(0x1f1, BootParams.SETUP_SECTS);
        assertEquals(0x202, BootParams.HEADER);
        assertEquals(0x206, BootParams.VERSION);
        assertEquals(0x228, BootParams.CMD_LINE_PTR);
        assertEquals(0x236, BootParams.XLOADFLAGS);
        assertEquals(0x238, BootParams.CMDLINE_SIZE);
        assertEquals(0x070, BootParams.ACPI_RSDP_ADDR);
        assertEquals(0x1e8, BootParams.E820_ENTRIES);
        assertEquals(0x2d0, BootParams.E820_TABLE);
        assertEquals(0x53726448, BootParams.HEADER_MAGIC, "\"HdrS\"");
        assertEquals(0x26c, BootParams.HDR + BootParams.SetupHeader.SIZE, "a 2.15 header ends at 0x26C");
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    private static String run(Path dir, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            fail(String.join(" ", cmd) + " failed:\n" + out);
        }
        return out;
    }
}
