package io.jvmm.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What one benchmark section produced: its measurements (for results.json and the console
 * table) and its part of docs/benchmarks.md. Saved under the work directory so the report can
 * be put together from the sections of one run.
 */
final class Section {
    final String id;
    final String title;
    final List<Measurement> measurements = new ArrayList<>();
    final StringBuilder markdown = new StringBuilder();
    /** The product targets this section checks: what, met or not, the measured figure. */
    final List<Target> targets = new ArrayList<>();
    /** How long the section ran. */
    double seconds;
    /** Why the section failed, or null. */
    String failure;
    /** When the section was measured (its saved file's time), or null before it is saved. */
    java.time.Instant measuredAt;

    record Target(String goal, boolean met, String detail) {
    }

    void target(String goal, boolean met, String detail) {
        targets.add(new Target(goal, met, detail));
    }

    Section(String id, String title) {
        this.id = id;
        this.title = title;
    }

    Measurement add(String name, double ours, Double peer, String unit) {
        Measurement m = new Measurement(name, ours, peer, unit);
        measurements.add(m);
        return m;
    }

    Section md(String text) {
        markdown.append(text);
        if (!text.endsWith("\n")) {
            markdown.append('\n');
        }
        markdown.append('\n');
        return this;
    }

    void save(Path dir) throws IOException {
        Files.createDirectories(dir);
        List<String> lines = new ArrayList<>();
        lines.add(title);
        lines.add("S\t" + seconds + "\t" + (failure == null ? "" : failure.replace('\t', ' ').replace('\n', ' ')));
        for (Measurement m : measurements) {
            lines.add("M\t" + m.tsv());
        }
        for (Target t : targets) {
            lines.add("T\t" + t.goal() + "\t" + t.met() + "\t" + t.detail());
        }
        Files.write(dir.resolve(id + ".tsv"), lines);
        measuredAt = Files.getLastModifiedTime(dir.resolve(id + ".tsv")).toInstant();
        Files.writeString(dir.resolve(id + ".md"), markdown.toString());
    }

    static Section load(Path dir, String id) throws IOException {
        Path tsv = dir.resolve(id + ".tsv");
        if (!Files.exists(tsv)) {
            return null;
        }
        List<String> lines = Files.readAllLines(tsv);
        Section s = new Section(id, lines.get(0));
        s.measuredAt = Files.getLastModifiedTime(tsv).toInstant();
        for (String l : lines.subList(1, lines.size())) {
            if (l.startsWith("S\t")) {
                String[] f = l.split("\t", -1);
                s.seconds = Double.parseDouble(f[1]);
                s.failure = f[2].isEmpty() ? null : f[2];
            } else if (l.startsWith("M\t")) {
                s.measurements.add(Measurement.parse(l.substring(2)));
            } else if (l.startsWith("T\t")) {
                String[] f = l.split("\t", -1);
                s.targets.add(new Target(f[1], Boolean.parseBoolean(f[2]), f[3]));
            }
        }
        Path md = dir.resolve(id + ".md");
        if (Files.exists(md)) {
            s.markdown.append(Files.readString(md));
        }
        return s;
    }
}
