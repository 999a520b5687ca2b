package io.jvmm.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A running service's own account of the memory that grows with use, read with jcmd (no Native
 * Memory Tracking needed, so it can be read from the measured process itself): the JIT's code
 * cache, the Java heap and metaspace as committed, the classes loaded and the methods compiled.
 * A figure the JVM's output did not give reads -1. With them, the address ranges the code heaps and
 * the heap's generations reserve, so that a mapping can be told to be theirs.
 */
record JvmAccount(long codeKb, long heapKb, long metaspaceKb, long classes, long compiles, List<Smaps.Range> codeRanges,
        List<Smaps.Range> heapRanges) {
    /** A code heap's or a generation's {@code [start, committed end, reserved end]}. */
    private static final Pattern CODE_BOUNDS = Pattern.compile(
            "bounds \\[0x(\\p{XDigit}+), 0x(\\p{XDigit}+), 0x(\\p{XDigit}+)");
    private static final Pattern GENERATION = Pattern.compile(
            "generation\\s+total \\d+K, used \\d+K \\[0x(\\p{XDigit}+), 0x(\\p{XDigit}+), 0x(\\p{XDigit}+)");
    private static final Pattern METASPACE = Pattern.compile("Metaspace\\s+used \\d+K, committed (\\d+)K");

    static JvmAccount of(VmmService svc) throws Exception {
        String heap = svc.jcmd("GC.heap_info");
        String code = svc.jcmd("Compiler.codecache");
        String perf = svc.jcmd("PerfCounter.print");
        return new JvmAccount(committedKb(CODE_BOUNDS, code), committedKb(GENERATION, heap), metaspaceKb(heap),
                counter(perf, "java.cls.loadedClasses"), counter(perf, "sun.ci.totalCompiles"),
                reserved(CODE_BOUNDS, code), reserved(GENERATION, heap));
    }

    /** The ranges [start, reserved end) {@code p} finds. */
    static List<Smaps.Range> reserved(Pattern p, String text) {
        Matcher m = p.matcher(text);
        List<Smaps.Range> out = new ArrayList<>();
        while (m.find()) {
            out.add(new Smaps.Range(Long.parseUnsignedLong(m.group(1), 16), Long.parseUnsignedLong(m.group(3), 16)));
        }
        return out;
    }

    /** The sum of (committed end - start) over the ranges {@code p} finds, in kB. */
    static long committedKb(Pattern p, String text) {
        Matcher m = p.matcher(text);
        long bytes = 0;
        boolean any = false;
        while (m.find()) {
            bytes += Long.parseUnsignedLong(m.group(2), 16) - Long.parseUnsignedLong(m.group(1), 16);
            any = true;
        }
        return any ? bytes / 1024 : -1;
    }

    static long metaspaceKb(String heapInfo) {
        Matcher m = METASPACE.matcher(heapInfo);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    /** A counter of {@code jcmd PID PerfCounter.print}, or -1. */
    static long counter(String perfCounters, String name) {
        for (String line : perfCounters.split("\n")) {
            if (line.startsWith(name + "=")) {
                try {
                    return Long.parseLong(line.substring(name.length() + 1).trim());
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return -1;
    }
}
