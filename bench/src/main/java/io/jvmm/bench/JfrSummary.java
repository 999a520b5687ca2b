package io.jvmm.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/** Reads a JFR recording and summarizes its samples per thread. */
final class JfrSummary {
    /** A JFR configuration with only the events the suite reads: Java and native samples. */
    static final String SETTINGS = """
            <?xml version="1.0" encoding="UTF-8"?>
            <configuration version="2.0" label="jvmm-bench" description="jvmm bench: samples">
              <event name="jdk.ExecutionSample"><setting name="enabled">true</setting><setting name="period">PERIOD</setting></event>
              <event name="jdk.NativeMethodSample"><setting name="enabled">true</setting><setting name="period">PERIOD</setting></event>
            </configuration>
            """;

    final List<RecordedEvent> events;

    private JfrSummary(List<RecordedEvent> events) {
        this.events = events;
    }

    static Path writeSettings(Path dir, String period) throws IOException {
        Path p = dir.resolve("bench-" + period.replace(" ", "") + ".jfc");
        Files.writeString(p, SETTINGS.replace("PERIOD", period));
        return p;
    }

    static JfrSummary read(Path recording) throws IOException {
        return new JfrSummary(RecordingFile.readAllEvents(recording));
    }

    static String threadName(RecordedEvent e) {
        RecordedThread t = e.hasField("sampledThread") ? e.getThread("sampledThread") : null;
        if (t == null) {
            t = e.getThread();
        }
        if (t == null) {
            return "?";
        }
        String n = t.getJavaName();
        return n == null ? t.getOSName() : n;
    }

    static String frame(RecordedFrame f) {
        String type = f.getMethod().getType().getName();
        return type.substring(type.lastIndexOf('.') + 1) + "." + f.getMethod().getName();
    }

    static String qualified(RecordedFrame f) {
        return f.getMethod().getType().getName() + "." + f.getMethod().getName();
    }

    List<RecordedEvent> samples(String type, Predicate<String> thread) {
        List<RecordedEvent> out = new ArrayList<>();
        for (RecordedEvent e : events) {
            if (e.getEventType().getName().equals(type) && thread.test(threadName(e))) {
                out.add(e);
            }
        }
        return out;
    }

    /** Counts of the top (self) frame over {@code samples}, most frequent first. */
    static Map<String, Integer> selfFrames(List<RecordedEvent> samples) {
        Map<String, Integer> m = new HashMap<>();
        for (RecordedEvent e : samples) {
            RecordedStackTrace st = e.getStackTrace();
            String top = st == null || st.getFrames().isEmpty() ? "(no stack)" : frame(st.getFrames().get(0));
            m.merge(top, 1, Integer::sum);
        }
        return sorted(m);
    }

    /** Share of samples whose stack contains a frame whose qualified name starts with each prefix. */
    static Map<String, Integer> inclusive(List<RecordedEvent> samples, Map<String, String> labelToPrefix) {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (var l : labelToPrefix.entrySet()) {
            int n = 0;
            for (RecordedEvent e : samples) {
                RecordedStackTrace st = e.getStackTrace();
                if (st != null && st.getFrames().stream().anyMatch(f -> qualified(f).startsWith(l.getValue()))) {
                    n++;
                }
            }
            m.put(l.getKey(), n);
        }
        return m;
    }

    /** The category of a sample: the first label (in map order) whose prefix matches the top frame. */
    static Map<String, Integer> selfCategories(List<RecordedEvent> samples, Map<String, String> labelToPrefix) {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (RecordedEvent e : samples) {
            RecordedStackTrace st = e.getStackTrace();
            String cat = "other";
            if (st != null && !st.getFrames().isEmpty()) {
                String top = qualified(st.getFrames().get(0));
                for (var l : labelToPrefix.entrySet()) {
                    if (top.startsWith(l.getValue())) {
                        cat = l.getKey();
                        break;
                    }
                }
            }
            m.merge(cat, 1, Integer::sum);
        }
        return sorted(m);
    }

    static <K> Map<K, Integer> sorted(Map<K, Integer> m) {
        Map<K, Integer> out = new LinkedHashMap<>();
        m.entrySet().stream().sorted(Map.Entry.<K, Integer>comparingByValue().reversed())
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    /** A Markdown table of the first {@code limit} entries with their share of {@code total}. */
    static String table(String what, Map<String, Integer> counts, int total, int limit) {
        Table t = new Table(what, "samples", "share");
        int i = 0;
        for (var e : counts.entrySet()) {
            if (i++ >= limit) {
                break;
            }
            t.row("`" + e.getKey() + "`", e.getValue(), F.f(100.0 * e.getValue() / Math.max(1, total), 1) + "%");
        }
        return t.markdown();
    }
}
