package io.jvmm.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.kvm.testing.HeaderCheck;
import io.jvmm.kvm.testing.HeaderCheck.Check;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.List;
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

    static List<Check> collectChecks() throws IllegalAccessException {
        return HeaderCheck.collect(ROOTS, KvmAbiTest::enumNumber);
    }

    private static long enumNumber(Object constant) {
        if (constant instanceof KvmCap cap) {
            return cap.number();
        }
        if (constant instanceof MpState s) {
            return s.value();
        }
        throw new AssertionError("No number accessor for enum " + constant.getClass());
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
        List<String> wrong = HeaderCheck.mismatches(dir, "linux/kvm.h", checks);
        assertTrue(wrong.isEmpty(), "ABI mismatches:\n" + String.join("\n", wrong));
    }
}
