package io.jvmm.core.machine;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The CPU topology of a machine, parsed from QEMU's {@code -smp} syntax:
 * {@code [cpus=]N[,maxcpus=M][,sockets=S][,dies=1][,cores=C][,threads=T]}.
 *
 * <p>Omitted values are derived as QEMU 6.2 and later derive them for PC machines: with neither
 * a count nor maxcpus, missing members are 1; otherwise maxcpus defaults to the count, then cores
 * are preferred over sockets (an omitted {@code cores} takes what is left after sockets and
 * threads, an omitted {@code sockets} what is left after cores and threads), and threads are
 * computed last. Then the count defaults to maxcpus. Validation as QEMU: every given value above
 * zero, {@code sockets * cores * threads == maxcpus}, {@code cpus <= maxcpus}.
 *
 * <p>CPU index {@code i} (0 .. maxcpus-1) has thread {@code i % T}, core {@code (i / T) % C} and
 * socket {@code i / (T * C)}; its APIC ID packs them in fields of {@code ceil(log2 T)} and
 * {@code ceil(log2 C)} bits, so IDs have gaps when T or C is not a power of two.
 */
public record SmpTopology(int cpus, int maxCpus, int sockets, int cores, int threads) {

    /** A plain uniprocessor. */
    public static final SmpTopology SINGLE = new SmpTopology(1, 1, 1, 1, 1);

    /**
     * Parses and validates an {@code -smp} value.
     *
     * @throws ConfigException with a one-line message naming the problem and the valid form
     */
    public static SmpTopology parse(String spec) throws ConfigException {
        if (spec == null || spec.isBlank()) {
            throw new ConfigException("Invalid -smp '': give a CPU count, e.g. -smp 4 or -smp 8,sockets=2,cores=2,threads=2");
        }
        Map<String, Integer> v = new LinkedHashMap<>();
        String[] parts = spec.split(",", -1);
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i].trim();
            String key;
            String value;
            int eq = part.indexOf('=');
            if (eq < 0) {
                if (i != 0) {
                    throw new ConfigException("Invalid -smp '" + spec + "': '" + part + "' needs a name "
                            + "(cpus=, maxcpus=, sockets=, dies=, cores=, threads=)");
                }
                key = "cpus";
                value = part;
            } else {
                key = part.substring(0, eq).trim().toLowerCase(Locale.ROOT);
                value = part.substring(eq + 1).trim();
            }
            if (!key.matches("cpus|maxcpus|sockets|dies|cores|threads")) {
                throw new ConfigException("Invalid -smp '" + spec + "': unknown parameter '" + key
                        + "' (valid: cpus, maxcpus, sockets, dies, cores, threads)");
            }
            if (v.containsKey(key)) {
                throw new ConfigException("Invalid -smp '" + spec + "': '" + key + "' given twice");
            }
            int n;
            try {
                n = Integer.parseInt(value);
            } catch (NumberFormatException e) {
                throw new ConfigException("Invalid -smp '" + spec + "': " + key + " must be a whole number, got '"
                        + value + "'");
            }
            if (n <= 0) {
                throw new ConfigException("Invalid -smp '" + spec + "': CPU topology parameters must be greater "
                        + "than zero, got " + key + "=" + n);
            }
            v.put(key, n);
        }
        if (v.getOrDefault("dies", 1) != 1) {
            throw new ConfigException("Invalid -smp '" + spec + "': dies=" + v.get("dies")
                    + " is not supported; only one die per socket (dies=1)");
        }
        return derive(spec, v.getOrDefault("cpus", 0), v.getOrDefault("maxcpus", 0), v.getOrDefault("sockets", 0),
                v.getOrDefault("cores", 0), v.getOrDefault("threads", 0));
    }

    private static SmpTopology derive(String spec, int cpus, int maxCpus, int sockets, int cores, int threads)
            throws ConfigException {
        if (cpus == 0 && maxCpus == 0) {
            sockets = sockets > 0 ? sockets : 1;
            cores = cores > 0 ? cores : 1;
            threads = threads > 0 ? threads : 1;
        } else {
            maxCpus = maxCpus > 0 ? maxCpus : cpus;
            if (cores == 0) {
                sockets = sockets > 0 ? sockets : 1;
                threads = threads > 0 ? threads : 1;
                cores = (int) Math.max(1, maxCpus / ((long) sockets * threads)); // long: no overflow
            } else if (sockets == 0) {
                threads = threads > 0 ? threads : 1;
                sockets = (int) Math.max(1, maxCpus / ((long) cores * threads));
            }
            if (threads == 0) {
                threads = (int) Math.max(1, maxCpus / ((long) sockets * cores));
            }
        }
        long product = (long) sockets * cores * threads;
        maxCpus = maxCpus > 0 ? maxCpus : (int) Math.min(product, Integer.MAX_VALUE);
        cpus = cpus > 0 ? cpus : maxCpus;
        if (product != maxCpus) {
            throw new ConfigException("Invalid -smp '" + spec + "': sockets (" + sockets + ") * cores (" + cores
                    + ") * threads (" + threads + ") = " + product + " must equal maxcpus (" + maxCpus + ")");
        }
        if (cpus > maxCpus) {
            throw new ConfigException("Invalid -smp '" + spec + "': " + cpus + " CPUs is more than maxcpus ("
                    + maxCpus + ")");
        }
        return new SmpTopology(cpus, maxCpus, sockets, cores, threads);
    }

    /** Bits of the APIC ID that number threads within a core. */
    public int threadBits() {
        return bitsFor(threads);
    }

    /** Bits of the APIC ID that number cores within a socket. */
    public int coreBits() {
        return bitsFor(cores);
    }

    private static int bitsFor(int n) {
        return n <= 1 ? 0 : 32 - Integer.numberOfLeadingZeros(n - 1);
    }

    /** The APIC ID of CPU index {@code index} (0 .. maxcpus-1). */
    public int apicId(int index) {
        return (socketOf(index) << (coreBits() + threadBits())) | (coreOf(index) << threadBits()) | threadOf(index);
    }

    /** The socket CPU index {@code index} is in. */
    public int socketOf(int index) {
        return index / (threads * cores);
    }

    /** The core (within its socket) CPU index {@code index} is on. */
    public int coreOf(int index) {
        return (index / threads) % cores;
    }

    /** The thread (within its core) CPU index {@code index} is. */
    public int threadOf(int index) {
        return index % threads;
    }

    /** The highest APIC ID any CPU of this topology has. */
    public int maxApicId() {
        return apicId(maxCpus - 1);
    }

    /** The canonical form, e.g. "8,sockets=2,cores=2,threads=2,maxcpus=8". */
    public String canonical() {
        return cpus + ",sockets=" + sockets + ",cores=" + cores + ",threads=" + threads + ",maxcpus=" + maxCpus;
    }
}
