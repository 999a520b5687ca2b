package io.jvmm.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks every ABI constant of the binding against the kernel headers: for each marked constant
 * ({@link Abi.Value}, {@link Abi.Struct}, {@link Abi.Field}) it writes a C expression, compiles
 * one program with gcc against {@code <linux/kvm.h>}, runs it and compares. Adding a struct or a
 * field to {@link KvmAbi} adds it to this test with no further change.
 */
class KvmAbiTest {
    /** Classes whose marked constants are checked. */
    private static final List<Class<?>> ROOTS = List.of(KvmAbi.class, KvmIoctls.class, KvmCap.class,
            MpState.class, KvmRunPage.class);

    private record Check(String javaName, String cExpr, long javaValue) {
    }

    static List<Check> collectChecks() throws IllegalAccessException {
        List<Check> checks = new ArrayList<>();
        List<Class<?>> classes = new ArrayList<>();
        for (Class<?> root : ROOTS) {
            classes.add(root);
            classes.addAll(List.of(root.getDeclaredClasses()));
        }
        for (Class<?> c : classes) {
            Abi.Struct struct = c.getAnnotation(Abi.Struct.class);
            if (struct != null) {
                Field size;
                try {
                    size = c.getDeclaredField("SIZE");
                } catch (NoSuchFieldException e) {
                    throw new AssertionError(c.getSimpleName() + " is marked @Abi.Struct but has no SIZE");
                }
                checks.add(new Check(c.getSimpleName() + ".SIZE", "sizeof(struct " + struct.value() + ")",
                        size.getLong(null)));
            }
            for (Field f : c.getDeclaredFields()) {
                Abi.Field af = f.getAnnotation(Abi.Field.class);
                Abi.Value av = f.getAnnotation(Abi.Value.class);
                String name = c.getSimpleName() + "." + f.getName();
                if (af != null) {
                    assertNotNull(struct, name + " is an @Abi.Field outside an @Abi.Struct class");
                    String type = "struct " + struct.value();
                    checks.add(new Check(name, "offsetof(" + type + ", " + af.value() + ")", f.getLong(null)));
                    String member = "((" + type + " *)0)->" + af.value();
                    checks.add(new Check(name + "#size",
                            af.flexible() ? "sizeof((" + member + ")[0])" : "sizeof(" + member + ")", af.size()));
                }
                if (av != null) {
                    long v = f.getType().isEnum() ? enumNumber(f) : f.getLong(null);
                    checks.add(new Check(name, "(long long)(" + av.value() + ")", v));
                }
            }
        }
        return checks;
    }

    private static long enumNumber(Field f) throws IllegalAccessException {
        Object constant = f.get(null);
        if (constant instanceof KvmCap cap) {
            return cap.number();
        }
        if (constant instanceof MpState s) {
            return s.value();
        }
        throw new AssertionError("No number accessor for enum " + f.getDeclaringClass());
    }

    @Test
    void everyStructClassIsMarked() {
        for (Class<?> c : KvmAbi.class.getDeclaredClasses()) {
            assertNotNull(c.getAnnotation(Abi.Struct.class), c.getSimpleName() + " lacks @Abi.Struct");
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers()) && f.getType() == int.class && !f.getName().equals("SIZE")
                        && f.getAnnotation(Abi.Field.class) == null && f.getAnnotation(Abi.Value.class) == null) {
                    assertTrue(f.getName().equals("MAX") || f.getName().equals("KERNEL_SIGSET_BYTES"),
                            c.getSimpleName() + "." + f.getName() + " is neither an @Abi.Field nor an @Abi.Value");
                }
            }
        }
    }

    @Test
    void knownSizesFromTheKernelDocs() {
        // Independent of gcc: the sizes api.rst and every VMM rely on.
        assertEquals(144, KvmAbi.KvmRegs.SIZE);
        assertEquals(312, KvmAbi.KvmSregs.SIZE);
        assertEquals(64, KvmAbi.KvmVcpuEvents.SIZE);
        assertEquals(1024, KvmAbi.KvmLapicState.SIZE);
        assertEquals(32, KvmAbi.KvmRun.IO_DIRECTION);
        assertEquals(32, KvmAbi.KvmRun.MMIO_PHYS_ADDR);
        assertEquals(0xae80L, KvmIoctls.KVM_RUN);
    }

    @Test
    void everyMarkedConstantMatchesTheKernelHeaders(@TempDir Path dir) throws Exception {
        List<Check> checks = collectChecks();
        assertTrue(checks.size() > 150, "expected the whole ABI to be marked, found " + checks.size() + " checks");
        StringBuilder c = new StringBuilder("#include <stdio.h>\n#include <stddef.h>\n#include <linux/kvm.h>\n")
                .append("int main(void) {\n");
        for (Check k : checks) {
            c.append("  printf(\"%s %lld\\n\", \"").append(k.javaName).append("\", (long long)(")
                    .append(k.cExpr).append("));\n");
        }
        c.append("  return 0;\n}\n");
        Path src = dir.resolve("abi.c");
        Files.writeString(src, c);
        Path exe = dir.resolve("abi");
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
                wrong.add(k.javaName + ": Java " + k.javaValue + ", kernel " + v + " (" + k.cExpr + ")");
            }
        }
        assertTrue(wrong.isEmpty(), "ABI mismatches:\n" + String.join("\n", wrong) + "\n" + compiled);
        assertFalse(kernel.isEmpty());
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
