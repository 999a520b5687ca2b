package io.jvmm.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A JVM process's resident memory split by kind of mapping: the JIT's code heaps and the Java heap
 * (by the address ranges the JVM reports for them, {@link JvmAccount}), files mapped (libraries,
 * the CDS archives, jars), the C library's main heap ({@code [heap]}, the brk area), and every other
 * anonymous mapping (metaspace and class space, thread stacks, the C library's other arenas, where
 * the JIT compilers and native code allocate). Rss in kB per kind, in that order.
 */
final class ResidentKinds {
    static final String CODE = "JIT code heaps";
    static final String HEAP = "Java heap";
    static final String FILES = "mapped files";
    static final String BRK = "C library's main heap ([heap])";
    static final String OTHER = "other anonymous (metaspace, thread stacks, C library arenas)";

    private ResidentKinds() {
    }

    static Map<String, Long> of(List<Smaps.Mapping> mappings, JvmAccount jvm) {
        Map<String, Long> kb = new LinkedHashMap<>();
        for (String k : List.of(CODE, HEAP, FILES, BRK, OTHER)) {
            kb.put(k, 0L);
        }
        for (Smaps.Mapping m : mappings) {
            kb.merge(kind(m, jvm), m.rssKb(), Long::sum);
        }
        return kb;
    }

    private static String kind(Smaps.Mapping m, JvmAccount jvm) {
        if (within(m, jvm.codeRanges())) {
            return CODE;
        }
        if (within(m, jvm.heapRanges())) {
            return HEAP;
        }
        if (m.name().startsWith("/")) {
            return FILES;
        }
        return m.name().equals("[heap]") ? BRK : OTHER;
    }

    /**
     * Whether {@code m} lies in the span of {@code ranges}: the code heaps are reserved as one block,
     * as are the heap's generations, and the kernel may show a committed part that runs from one
     * into the next as one mapping.
     */
    private static boolean within(Smaps.Mapping m, List<Smaps.Range> ranges) {
        if (ranges.isEmpty()) {
            return false;
        }
        long lo = ranges.stream().mapToLong(Smaps.Range::start).min().getAsLong();
        long hi = ranges.stream().mapToLong(Smaps.Range::end).max().getAsLong();
        return m.start() >= lo && m.end() <= hi;
    }
}
