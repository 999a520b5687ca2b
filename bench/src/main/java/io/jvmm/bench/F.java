package io.jvmm.bench;

import java.util.Locale;

/** Number formatting for tables and prose. */
final class F {
    private F() {
    }

    static String f(double v, int decimals) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    static String ratio(Double r) {
        return r == null ? "-" : f(r, 2);
    }

    /** "+12.3%" for a ratio of 1.123. */
    static String pct(double ratio) {
        return String.format(Locale.ROOT, "%+.1f%%", (ratio - 1) * 100);
    }

    /** A met/missed cell. */
    static String verdict(boolean met) {
        return met ? "met" : "**missed**";
    }
}
