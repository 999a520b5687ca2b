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
    private static final Pattern NUMBERS = Pattern.compile("\\b(0x)?[0-9a-fA-F]*[0-9][0-9a-fA-F]*\\b");

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

    /** The lines that report trouble ({@link #TROUBLE}). */
    public List<String> trouble() {
        return lines.stream().filter(l -> TROUBLE.matcher(l).find()).toList();
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
     * The class of {@code line}: its prefix up to the first ": " (the subsystem, "ACPI", "smpboot",
     * "x86/fpu") and the word after it, or its first two words if it has no such prefix; numbers
     * become '#'. "ACPI: RSDP 0x00000000000E0000 000024 (v02 JVMM  )" is "ACPI: RSDP".
     */
    public static String classOf(String line) {
        String s = NUMBERS.matcher(line).replaceAll("#").strip();
        int colon = s.indexOf(": ");
        String[] words;
        if (colon > 0 && colon < 40 && !s.substring(0, colon).contains(" [")) {
            String rest = s.substring(colon + 2).strip();
            String next = rest.isEmpty() ? "" : rest.split("\\s+")[0];
            return s.substring(0, colon) + ": " + next;
        }
        words = s.split("\\s+");
        return words.length >= 2 ? words[0] + " " + words[1] : words[0];
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
