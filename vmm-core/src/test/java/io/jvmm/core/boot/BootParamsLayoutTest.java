package io.jvmm.core.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.kvm.Abi;
import io.jvmm.kvm.testing.HeaderCheck;
import io.jvmm.kvm.testing.HeaderCheck.Check;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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

    /** Every struct class of {@link BootParams} is marked; the checks come from the marks. */
    static List<Check> collectChecks() throws IllegalAccessException {
        for (Class<?> c : BootParams.class.getDeclaredClasses()) {
            assertNotNull(c.getAnnotation(Abi.Struct.class), c.getSimpleName() + " lacks @Abi.Struct");
        }
        return HeaderCheck.collect(List.of(BootParams.class), e -> {
            throw new AssertionError("no enum constants in BootParams");
        });
    }

    @Test
    void everyMarkedConstantMatchesTheKernelHeader(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(HEADER_PATHS.stream().anyMatch(Files::isRegularFile),
                "<asm/bootparam.h> is not installed (none of " + HEADER_PATHS + "); on Debian: apt-get install "
                        + "linux-libc-dev");
        Assumptions.assumeTrue(HeaderCheck.onPath("gcc"), "gcc is not on the PATH");
        List<Check> checks = collectChecks();
        assertTrue(checks.size() > 50, "expected every field the loader touches, found " + checks.size() + " checks");
        List<String> wrong = HeaderCheck.mismatches(dir, "asm/bootparam.h", checks);
        assertTrue(wrong.isEmpty(), "Layout mismatches:\n" + String.join("\n", wrong));
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
}
