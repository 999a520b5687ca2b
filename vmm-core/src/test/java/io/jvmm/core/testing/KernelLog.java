package io.jvmm.core.testing;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Linux kernel's console log, as the tests read it: lines without their "[    0.123456] "
 * timestamps, each with a class (what kind of line it is, with the numbers left out) so that two
 * logs of the same kernel on two machines can be compared class by class.
 */
public final class KernelLog {
    /** Lines that report a problem the kernel found. */
    public static final Pattern TROUBLE = Pattern.compile("Firmware Bug|ACPI BIOS Error|ACPI Error|BUG:|WARNING:"
            + "|Call Trace");
    private static final Pattern TIMESTAMP = Pattern.compile("^\\[\\s*\\d+\\.\\d+\\]\\s?");
    private static final Pattern E820_USABLE = Pattern.compile(
            "BIOS-e820: \\[mem 0x([0-9a-f]+)-0x([0-9a-f]+)\\] usable");

    private final List<String> lines = new ArrayList<>();

    /** The kernel lines of {@code console} (serial output; lines without a timestamp are not the kernel's). */
    public KernelLog(String console) {
        for (String raw : console.replace("\r", "").split("\n")) {
            Matcher m = TIMESTAMP.matcher(raw);
            if (m.find()) {
                lines.add(raw.substring(m.end()).stripTrailing());
            }
        }
    }

    /** The lines, timestamps stripped, in order. */
    public List<String> lines() {
        return lines;
    }

    /** The last line, or "" if there is none. */
    public String last() {
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }

    /** Whether a line matches {@code regex} (found anywhere in it). */
    public boolean has(String regex) {
        Pattern p = Pattern.compile(regex);
        return lines.stream().anyMatch(l -> p.matcher(l).find());
    }

    /** The lines matching {@code regex}. */
    public List<String> matching(String regex) {
        Pattern p = Pattern.compile(regex);
        return lines.stream().filter(l -> p.matcher(l).find()).toList();
    }

    /** Reports on the host CPU's speculative-execution flaws: about the processor, not the machine a VMM builds. */
    private static final Pattern CPU_FLAW_REPORT = Pattern.compile("^(Spectre|Speculative|RETBleed|Retbleed|MDS|"
            + "MMIO Stale Data|SRBDS|GDS|TAA|ITLB multihit|L1TF|Register File Data Sampling)\\b[^:]*:");

    /**
     * The lines that report trouble ({@link #TROUBLE}), but for the kernel's reports on the host
     * CPU's speculative-execution flaws ("Speculative Return Stack Overflow: WARNING: ..."), which
     * say nothing of the machine and come and go with the host's processor.
     */
    public List<String> trouble() {
        return lines.stream().filter(l -> TROUBLE.matcher(l).find() && !CPU_FLAW_REPORT.matcher(l).find()).toList();
    }

    /** Bytes of RAM the BIOS-e820 lines call usable. */
    public long e820UsableBytes() {
        long total = 0;
        for (String l : lines) {
            Matcher m = E820_USABLE.matcher(l);
            if (m.find()) {
                total += Long.parseUnsignedLong(m.group(2), 16) - Long.parseUnsignedLong(m.group(1), 16) + 1;
            }
        }
        return total;
    }

    /**
     * The class of {@code line}: numbers (words whose first letter or digit is a digit) become '#',
     * then it is the prefix up to the first ": " (the subsystem, "ACPI", "smpboot", "x86/fpu") and
     * the word after it, or the first two words if there is no such prefix. "ACPI: RSDP
     * 0x00000000000E0000 000024 (v02 JVMM  )" is "ACPI: RSDP"; "Memory: 207552K/523896K available" is
     * "Memory: #".
     */
    public static String classOf(String line) {
        StringBuilder sb = new StringBuilder();
        for (String w : line.strip().split("\\s+")) {
            String alnum = w.replaceAll("^[^A-Za-z0-9]+", "");
            sb.append(sb.length() == 0 ? "" : " ").append(!alnum.isEmpty() && Character.isDigit(alnum.charAt(0))
                    ? "#" : w);
        }
        String s = sb.toString();
        int colon = s.indexOf(": ");
        if (colon > 0 && colon < 40 && !s.substring(0, colon).contains("[")) {
            String rest = s.substring(colon + 2).strip();
            return s.substring(0, colon) + ": " + (rest.isEmpty() ? "" : rest.split("\\s+")[0]);
        }
        String[] words = s.split("\\s+");
        return words.length >= 2 ? words[0] + " " + words[1] : words[0];
    }

    /** The first {@code n} lines, as a log of their own. */
    public KernelLog prefix(int n) {
        KernelLog k = new KernelLog("");
        k.lines.addAll(lines.subList(0, Math.min(n, lines.size())));
        return k;
    }

    /** The classes of every line, in first-seen order. */
    public Set<String> classes() {
        Set<String> out = new LinkedHashSet<>();
        for (String l : lines) {
            out.add(classOf(l));
        }
        return out;
    }
}
