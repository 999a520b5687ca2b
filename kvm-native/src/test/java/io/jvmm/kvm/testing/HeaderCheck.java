package io.jvmm.kvm.testing;

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
import java.util.function.ToLongFunction;

/**
 * Checks Java constants marked with {@link Abi} annotations against a C header: one C expression
 * per constant (sizeof for an {@link Abi.Struct}, offsetof and sizeof for each {@link Abi.Field},
 * the value of each {@link Abi.Value}), one program compiled with gcc and run, and the printed
 * values compared. Used by the layout tests of the KVM binding and of the boot loaders.
 */
public final class HeaderCheck {
    private HeaderCheck() {
    }

    /** One constant: its Java name, the C expression for it, and the Java value. */
    public record Check(String javaName, String cExpr, long javaValue) {
    }

    /**
     * The checks for every marked constant of {@code roots} and their nested classes;
     * {@code enumNumber} gives the number of an enum constant marked {@link Abi.Value}.
     */
    public static List<Check> collect(List<Class<?>> roots, ToLongFunction<Object> enumNumber)
            throws IllegalAccessException {
        List<Check> checks = new ArrayList<>();
        List<Class<?>> classes = new ArrayList<>();
        for (Class<?> root : roots) {
            classes.add(root);
            classes.addAll(List.of(root.getDeclaredClasses()));
        }
        for (Class<?> c : classes) {
            Abi.Struct struct = c.getAnnotation(Abi.Struct.class);
            if (struct != null) {
                Field size;
                try {
                    size = c.getDeclaredField("SIZE");
                    size.setAccessible(true);
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
                if (af != null || av != null) {
                    // Layout constants are often package-private; the tests read them from here.
                    f.setAccessible(true);
                }
                if (af != null) {
                    if (struct == null) {
                        throw new AssertionError(name + " is an @Abi.Field outside an @Abi.Struct class");
                    }
                    String type = "struct " + struct.value();
                    checks.add(new Check(name, "offsetof(" + type + ", " + af.value() + ")", f.getLong(null)));
                    String member = "((" + type + " *)0)->" + af.value();
                    checks.add(new Check(name + "#size",
                            af.flexible() ? "sizeof((" + member + ")[0])" : "sizeof(" + member + ")", af.size()));
                }
                if (av != null) {
                    long v = f.getType().isEnum() ? enumNumber.applyAsLong(f.get(null)) : f.getLong(null);
                    checks.add(new Check(name, "(long long)(" + av.value() + ")", v));
                }
            }
        }
        return checks;
    }

    /**
     * Compiles a program printing every check's C expression with {@code #include <header>}, runs
     * it in {@code dir}, and returns the checks whose values differ ("name: Java x, C y (expr)").
     *
     * @throws AssertionError if gcc or the program fails, or prints fewer values than there are checks
     */
    public static List<String> mismatches(Path dir, String header, List<Check> checks)
            throws IOException, InterruptedException {
        StringBuilder c = new StringBuilder("#include <stdio.h>\n#include <stddef.h>\n#include <").append(header)
                .append(">\nint main(void) {\n");
        for (Check k : checks) {
            c.append("  printf(\"%s %lld\\n\", \"").append(k.javaName()).append("\", (long long)(")
                    .append(k.cExpr()).append("));\n");
        }
        c.append("  return 0;\n}\n");
        Path src = dir.resolve("layout.c");
        Files.writeString(src, c);
        Path exe = dir.resolve("layout");
        run(dir, "gcc", "-Wall", "-o", exe.toString(), src.toString());
        Map<String, Long> fromC = new LinkedHashMap<>();
        for (String line : run(dir, exe.toString()).split("\n")) {
            String[] parts = line.trim().split(" ");
            fromC.put(parts[0], Long.parseLong(parts[1]));
        }
        if (fromC.size() != checks.size()) {
            throw new AssertionError("the program printed " + fromC.size() + " values for " + checks.size() + " checks");
        }
        List<String> wrong = new ArrayList<>();
        for (Check k : checks) {
            Long v = fromC.get(k.javaName());
            if (v == null || v != k.javaValue()) {
                wrong.add(k.javaName() + ": Java " + k.javaValue() + ", C " + v + " (" + k.cExpr() + ")");
            }
        }
        return wrong;
    }

    /** Whether {@code tool} is an executable on the PATH. */
    public static boolean onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }

    private static String run(Path dir, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", cmd) + " failed:\n" + out);
        }
        return out;
    }
}
