package io.jvmm.core.firmware;

import io.jvmm.kvm.CpuidEntry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The CPU model of {@code -cpu}, in QEMU's syntax: {@code host} followed by feature changes,
 * {@code host,+cx16,-xsave,avx=off,x2apic=on}. {@code host} is what KVM supports on this host
 * (KVM_GET_SUPPORTED_CPUID); a change sets or clears one CPUID bit, named as QEMU names it, in
 * every vCPU's table before the vCPU first runs. A feature KVM does not support cannot be turned
 * on (the guest would use what the host cannot run).
 */
public final class CpuModel {
    /** A CPUID feature bit: leaf, subleaf, register (0 EAX .. 3 EDX) and bit. */
    record Bit(int leaf, int subleaf, int register, int bit) {
    }

    private static final int EAX = 0;
    private static final int EBX = 1;
    private static final int ECX = 2;
    private static final int EDX = 3;
    /** Every feature name {@code -cpu} knows, with its bit (Intel SDM vol. 2A, CPUID; AMD APM vol. 3). */
    static final Map<String, Bit> FEATURES = new LinkedHashMap<>();

    private static void leaf(int leaf, int subleaf, int register, String... namesByBit) {
        for (int bit = 0; bit < namesByBit.length; bit++) {
            for (String name : namesByBit[bit].split("\\|")) {
                if (!name.isEmpty()) {
                    FEATURES.put(name, new Bit(leaf, subleaf, register, bit));
                }
            }
        }
    }

    static {
        leaf(1, 0, EDX, "fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce", "cx8", "apic", "", "sep", "mtrr",
                "pge", "mca", "cmov", "pat", "pse36", "", "clflush", "", "", "", "mmx", "fxsr", "sse", "sse2", "",
                "ht");
        leaf(1, 0, ECX, "sse3|pni", "pclmulqdq", "", "monitor", "", "", "", "", "", "ssse3", "", "", "fma", "cx16",
                "", "", "", "pcid", "", "sse4.1|sse4_1", "sse4.2|sse4_2", "x2apic", "movbe", "popcnt",
                "tsc-deadline", "aes", "xsave", "", "avx", "f16c", "rdrand", "hypervisor");
        leaf(7, 0, EBX, "fsgsbase", "", "", "bmi1", "hle", "avx2", "", "smep", "bmi2", "erms", "invpcid", "rtm",
                "", "", "", "", "avx512f", "avx512dq", "rdseed", "adx", "smap", "avx512ifma", "", "clflushopt",
                "clwb", "", "avx512pf", "avx512er", "avx512cd", "sha-ni", "avx512bw", "avx512vl");
        leaf(7, 0, ECX, "", "avx512vbmi", "umip", "pku", "", "", "", "", "", "vaes", "vpclmulqdq", "", "", "", "",
                "", "", "", "", "", "", "", "rdpid");
        leaf(7, 0, EDX, "", "", "", "", "", "", "", "", "", "", "md-clear", "", "", "", "", "", "", "", "", "", "",
                "", "", "", "", "", "spec-ctrl", "", "", "arch-capabilities", "", "ssbd");
        leaf(0xd, 1, EAX, "xsaveopt", "xsavec", "xgetbv1", "xsaves");
        leaf(0x80000001, 0, ECX, "lahf-lm|lahf_lm", "", "svm", "", "", "abm", "sse4a", "", "3dnowprefetch");
        leaf(0x80000007, 0, EDX, "", "", "", "", "", "", "", "", "invtsc");
        leaf(0x80000001, 0, EDX, "", "", "", "", "", "", "", "", "", "", "", "syscall", "", "", "", "", "", "", "",
                "", "nx|xd", "", "", "", "", "", "pdpe1gb", "rdtscp", "", "lm|i64");
    }

    /** The host model with no changes. */
    public static final CpuModel HOST = new CpuModel("host", Map.of());

    private final String text;
    /** Feature name to wanted state, in the order given (a later change of a name wins). */
    private final Map<String, Boolean> changes;

    private CpuModel(String text, Map<String, Boolean> changes) {
        this.text = text;
        this.changes = changes;
    }

    /**
     * Parses {@code -cpu}'s argument.
     *
     * @throws IllegalArgumentException naming what was wrong and what is accepted
     */
    public static CpuModel parse(String spec) {
        String[] parts = spec.trim().split(",");
        if (!parts[0].equals("host")) {
            throw new IllegalArgumentException("Invalid -cpu " + spec + ": the model must be 'host' (what KVM "
                    + "supports here), optionally followed by ,+feature or ,-feature; see -cpu help");
        }
        Map<String, Boolean> changes = new LinkedHashMap<>();
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].trim();
            String name;
            boolean on;
            if (p.startsWith("+") || p.startsWith("-")) {
                name = p.substring(1);
                on = p.charAt(0) == '+';
            } else if (p.endsWith("=on") || p.endsWith("=off")) {
                name = p.substring(0, p.lastIndexOf('='));
                on = p.endsWith("=on");
            } else {
                throw new IllegalArgumentException("Invalid -cpu " + spec + ": '" + p + "' is not +feature, "
                        + "-feature, feature=on or feature=off");
            }
            name = name.toLowerCase(Locale.ROOT);
            if (!FEATURES.containsKey(name)) {
                throw new IllegalArgumentException("Invalid -cpu " + spec + ": unknown feature '" + name
                        + "'; -cpu help lists the " + FEATURES.size() + " names jvmm knows");
            }
            changes.remove(name);
            changes.put(name, on);
        }
        return new CpuModel(spec.trim(), changes);
    }

    /** The text {@code -cpu help} prints: the model and every feature name, grouped by CPUID leaf. */
    public static String help() {
        StringBuilder sb = new StringBuilder("Available CPU models:\n  host  what KVM supports on this host\n\n"
                + "Recognized CPUID flags (host,+flag or host,-flag):\n");
        int line = 0;
        for (String name : FEATURES.keySet()) {
            sb.append(line == 0 ? "  " : " ").append(name);
            if (++line == 8) {
                sb.append('\n');
                line = 0;
            }
        }
        return sb.append(line == 0 ? "" : "\n").toString();
    }

    /** Whether this model asks for {@code feature} to be turned on ({@code +feature}). */
    public boolean turnsOn(String feature) {
        return Boolean.TRUE.equals(changes.get(feature));
    }

    /**
     * KVM's supported table with this model's changes made.
     *
     * @throws IllegalArgumentException if a feature to turn on is not supported by KVM here
     */
    public List<CpuidEntry> apply(List<CpuidEntry> supported) {
        List<CpuidEntry> out = new ArrayList<>(supported);
        for (Map.Entry<String, Boolean> c : changes.entrySet()) {
            Bit b = FEATURES.get(c.getKey());
            int i = indexOf(out, b.leaf(), b.subleaf());
            int mask = 1 << b.bit();
            if (c.getValue()) {
                if (i < 0 || (register(out.get(i), b.register()) & mask) == 0) {
                    throw new IllegalArgumentException("Invalid -cpu " + text + ": KVM on this host does not support '"
                            + c.getKey() + "' (CPUID leaf 0x" + Integer.toHexString(b.leaf()) + "); leave it out");
                }
            } else if (i >= 0) {
                CpuidEntry e = out.get(i);
                out.set(i, withRegister(e, b.register(), register(e, b.register()) & ~mask));
            }
        }
        return out;
    }

    private static int indexOf(List<CpuidEntry> entries, int leaf, int subleaf) {
        for (int i = 0; i < entries.size(); i++) {
            CpuidEntry e = entries.get(i);
            if (e.function() == leaf && (e.index() == subleaf || !e.indexSignificant())) {
                return i;
            }
        }
        return -1;
    }

    private static int register(CpuidEntry e, int r) {
        return switch (r) {
            case EAX -> e.eax();
            case EBX -> e.ebx();
            case ECX -> e.ecx();
            default -> e.edx();
        };
    }

    private static CpuidEntry withRegister(CpuidEntry e, int r, int v) {
        return e.withRegisters(r == EAX ? v : e.eax(), r == EBX ? v : e.ebx(), r == ECX ? v : e.ecx(),
                r == EDX ? v : e.edx());
    }

    @Override
    public String toString() {
        return text;
    }
}
