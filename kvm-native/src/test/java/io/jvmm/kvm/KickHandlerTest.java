package io.jvmm.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The kick signal's handler when the shim is loaded more than once in a process, as it is when a
 * second class loader loads {@link RunShim} (a Quarkus test profile starts a second application in
 * the same JVM). Each copy has its own handler function; a copy must accept another copy's as
 * jvmm's, and still refuse a handler that is not jvmm's. Uses its own real-time signals, not the
 * kick signal, so the process's kicks are never disturbed; needs no KVM.
 */
class KickHandlerTest {
    /** Signals no part of jvmm or the JVM uses. */
    private static final int SIGNAL = 45;
    private static final int FOREIGN_SIGNAL = 46;

    private static final NativeLibrary LIBC = NativeLibrary.getInstance("c");

    @AfterEach
    void restoreDefaults() {
        setHandler(SIGNAL, null);
        setHandler(FOREIGN_SIGNAL, null);
    }

    @Test
    void anotherCopysHandlerIsAcceptedAsJvmms() throws IOException {
        Function secondCopysInstall = secondCopy().getFunction("Java_io_jvmm_kvm_RunShim_installKickHandler");
        assertEquals(0, secondCopysInstall.invokeInt(new Object[] {null, null, SIGNAL}));

        assertEquals(0, RunShim.installKickHandler(SIGNAL), "the first copy's handler is jvmm's too");
        // The installed handler is real code that consumes the signal: raising it does not end the process.
        assertEquals(0, LIBC.getFunction("raise").invokeInt(new Object[] {SIGNAL}));
    }

    @Test
    void someoneElsesHandlerIsLeftInPlace() {
        // A handler that is not jvmm's: any named function outside the shim (it is never called).
        Pointer foreign = LIBC.getFunction("getpid");
        setHandler(FOREIGN_SIGNAL, foreign);

        assertEquals(-Errno.EBUSY.number(), RunShim.installKickHandler(FOREIGN_SIGNAL));
        assertEquals(Pointer.nativeValue(foreign), Pointer.nativeValue(setHandler(FOREIGN_SIGNAL, null)),
                "the foreign handler was replaced");
    }

    @Test
    void installingTwiceFromOneCopyIsANoOp() {
        assertEquals(0, RunShim.installKickHandler(SIGNAL));
        assertEquals(0, RunShim.installKickHandler(SIGNAL));
        assertEquals(0, LIBC.getFunction("raise").invokeInt(new Object[] {SIGNAL}));
    }

    /** Loads the shim a second time, from its own file, as a second class loader would. */
    private static NativeLibrary secondCopy() throws IOException {
        Path tmp = Files.createTempFile("jvmm-kvm-copy-", ".so");
        try (InputStream in = RunShim.class.getResourceAsStream(RunShim.RESOURCE)) {
            assertNotNull(in, RunShim.RESOURCE);
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            return NativeLibrary.getInstance(tmp.toAbsolutePath().toString());
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** signal(2): sets the disposition (null is SIG_DFL) and returns the previous one. */
    private static Pointer setHandler(int signal, Pointer handler) {
        return (Pointer) LIBC.getFunction("signal").invoke(Pointer.class, new Object[] {signal, handler});
    }
}
