package io.jvmm.monitor.service;

/** jvmm's version: the jar manifest's, or "0.1.0-SNAPSHOT" when run from classes. */
public final class Versions {
    private Versions() {
    }

    /** The version string, e.g. "0.1.0-SNAPSHOT". */
    public static String jvmm() {
        String v = Versions.class.getPackage().getImplementationVersion();
        return v == null ? "0.1.0-SNAPSHOT" : v;
    }
}
