package io.jvmm.kvm;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The JNI entry points for KVM_RUN and for the kick signal's handler ({@code src/main/c/jvmm_kvm_run.c},
 * built by this module's build into the jar as {@value #RESOURCE}). KVM_RUN is made once per guest
 * exit; a JNA direct-mapped call costs a few hundred nanoseconds more than the same call from C on a
 * PVM host, a JNI call a few tens (docs/benchmarks.md, section 1). The handler is a C function that
 * does nothing, so a kick needs no KVM_SET_SIGNAL_MASK (see {@link VcpuFd}). Every other call stays
 * on {@link LibC}.
 *
 * <p>Loaded once per class loader that loads this class (a second Quarkus application in one test
 * JVM is a second one): from {@value #DIR_PROPERTY}{@code /libjvmm-kvm.so} when that property names
 * a directory holding it (the packaged application's {@code native} directory, which {@code ./vmm}
 * names), else copied from the jar to a temporary file, loaded, and the file unlinked (the mapping
 * stays). The copies share the kick signal: the first copy's handler,
 * kept mapped for the life of the process, serves them all. If that fails, {@link #unavailabilityCause()} says
 * why and {@link RunPath#preferred()} falls back to JNA.
 */
final class RunShim {
    static final String FILE = "libjvmm-kvm.so";
    static final String RESOURCE = "linux-x86_64/" + FILE;
    /** The interface version this class expects of the library (JVMM_KVM_SHIM_VERSION). */
    static final int VERSION = 3;
    /** A directory the library is loaded from, without a copy, when it is there. */
    static final String DIR_PROPERTY = "jvmm.native.dir";

    private static final String CAUSE = load();

    private RunShim() {
    }

    /** Whether the library is loaded and speaks {@link #VERSION}. */
    static boolean isLoaded() {
        return CAUSE == null;
    }

    /** Why the library is not loaded, or null when it is. */
    static String unavailabilityCause() {
        return CAUSE;
    }

    /** The library's interface version. */
    static native int version();

    /** {@code ioctl(fd, request, arg)}: the result when non-negative, else minus errno. Nothing is thrown. */
    static native int ioctl(int fd, long request, long arg);

    /**
     * Installs the shim's no-op handler for {@code signal}, process-wide (SA_RESTART). Returns 0
     * (also when any copy of the shim's handler is installed already), minus errno, or minus EBUSY
     * if another handler is installed for it (left in place).
     */
    static native int installKickHandler(int signal);

    private static String checkVersion() {
        int v = version();
        if (v != VERSION) {
            return "the shim speaks interface version " + v + ", this binding needs " + VERSION + " (rebuild kvm-native)";
        }
        return null;
    }

    private static String load() {
        String os = System.getProperty("os.name", "");
        String arch = System.getProperty("os.arch", "");
        if (!os.equals("Linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            return "the shim is built for Linux x86_64, this is " + os + " " + arch;
        }
        String dir = System.getProperty(DIR_PROPERTY);
        Path installed = dir == null ? null : Path.of(dir, FILE);
        if (installed != null && Files.isRegularFile(installed)) {
            try {
                System.load(installed.toAbsolutePath().toString());
                return checkVersion();
            } catch (UnsatisfiedLinkError | SecurityException e) {
                return "loading " + installed + " (" + DIR_PROPERTY + ") failed: " + e;
            }
        }
        Path tmp = null;
        try (InputStream in = RunShim.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                return "resource io/jvmm/kvm/" + RESOURCE + " is missing from the class path (rebuild kvm-native)";
            }
            tmp = Files.createTempFile("jvmm-kvm-", ".so");
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            System.load(tmp.toAbsolutePath().toString());
            return checkVersion();
        } catch (IOException | UnsatisfiedLinkError | SecurityException e) {
            return "loading io/jvmm/kvm/" + RESOURCE + " failed: " + e;
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    tmp.toFile().deleteOnExit();
                }
            }
        }
    }
}
