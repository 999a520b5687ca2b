package io.jvmm.kvm;

/**
 * How {@link VcpuFd#run()} makes the KVM_RUN call and how its kicks are consumed (see
 * {@link VcpuFd}). The rest of the binding always uses JNA.
 *
 * <p>The default is {@link #JNI}, the shim this module builds ({@code src/main/c}); it falls back
 * to {@link #JNA} when the shim cannot be loaded (the cause is logged once and kept in
 * {@link #shimUnavailabilityCause()}) or when the system property {@value #PROPERTY} is
 * {@code jna} (any other value is warned about and ignored). Both paths are tested against the
 * same guests; they differ only in cost.
 */
public enum RunPath {
    /** The JNI shim, kicks consumed by its no-op signal handler: about as cheap as C. */
    JNI,
    /** JNA's direct mapping, kicks by KVM_SET_SIGNAL_MASK: about 0.5 us more per exit on a PVM host. */
    JNA;

    /** The system property that chooses the path: {@code jni} (default) or {@code jna}. */
    public static final String PROPERTY = "jvmm.kvm.run";

    private static final RunPath PREFERRED = choose();

    /** The path new vCPUs use. */
    public static RunPath preferred() {
        return PREFERRED;
    }

    /** Why the JNI shim is not loaded, or null when it is. */
    public static String shimUnavailabilityCause() {
        return RunShim.unavailabilityCause();
    }

    /** Whether this path can be used in this process. */
    public boolean isUsable() {
        return this == JNA || RunShim.isLoaded();
    }

    private static RunPath choose() {
        System.Logger log = System.getLogger(RunPath.class.getName());
        String wanted = System.getProperty(PROPERTY, "jni");
        if (wanted.equalsIgnoreCase("jna")) {
            return JNA;
        }
        if (!wanted.equalsIgnoreCase("jni")) {
            log.log(System.Logger.Level.WARNING, "-D" + PROPERTY + "=" + wanted
                    + " is not a KVM_RUN path (use jni or jna); using jni");
        }
        if (RunShim.isLoaded()) {
            return JNI;
        }
        log.log(System.Logger.Level.WARNING, "KVM_RUN falls back to JNA (slower exits): " + RunShim.unavailabilityCause());
        return JNA;
    }
}
