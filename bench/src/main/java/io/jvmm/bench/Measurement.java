package io.jvmm.bench;

import java.util.Locale;

/**
 * One line of bench/results.json: a time or a size of jvmm ({@code ours}) against the same
 * figure of the peer (a bare C KVM loop, QEMU, or jvmm itself in another condition), and
 * {@code ratio = ours / peer}: below 1 means jvmm is better. {@code peer} and {@code ratio}
 * are null where a figure has no peer.
 */
record Measurement(String name, double ours, Double peer, String unit) {
    Double ratio() {
        return peer == null || peer == 0 ? null : ours / peer;
    }

    String json() {
        return String.format(Locale.ROOT, "{\"name\": %s, \"ours\": %s, \"peer\": %s, \"ratio\": %s, \"unit\": %s}",
                Json.quote(name), Json.number(ours), peer == null ? "null" : Json.number(peer),
                ratio() == null ? "null" : Json.number(ratio()), Json.quote(unit));
    }

    /** A tab-separated line for the section files; see {@link #parse}. */
    String tsv() {
        return name + "\t" + Json.number(ours) + "\t" + (peer == null ? "" : Json.number(peer)) + "\t" + unit;
    }

    static Measurement parse(String line) {
        String[] f = line.split("\t", -1);
        return new Measurement(f[0], Double.parseDouble(f[1]), f[2].isEmpty() ? null : Double.valueOf(f[2]), f[3]);
    }
}
