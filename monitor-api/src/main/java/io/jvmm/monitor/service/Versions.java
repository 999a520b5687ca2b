package io.jvmm.monitor.service;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** jvmm's version and the commit it was built from. */
public final class Versions {
    /** Written by the build (git-commit-id-maven-plugin, monitor-api/pom.xml). */
    private static final String GIT_PROPERTIES = "/io/jvmm/monitor/git.properties";
    private static final String COMMIT = readCommit();

    private Versions() {
    }

    /** The version string: the jar manifest's, or "0.1.0-SNAPSHOT" when run from classes. */
    public static String jvmm() {
        String v = Versions.class.getPackage().getImplementationVersion();
        return v == null ? "0.1.0-SNAPSHOT" : v;
    }

    /**
     * The abbreviated commit the build was made from, with "-dirty" when the tree had changes, or
     * "unknown" when it was built outside a Git checkout.
     */
    public static String commit() {
        return COMMIT;
    }

    private static String readCommit() {
        try (InputStream in = Versions.class.getResourceAsStream(GIT_PROPERTIES)) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            String id = p.getProperty("git.commit.id.abbrev", "").trim();
            if (id.isEmpty()) {
                return "unknown";
            }
            return "true".equals(p.getProperty("git.dirty")) ? id + "-dirty" : id;
        } catch (IOException e) {
            return "unknown";
        }
    }
}
