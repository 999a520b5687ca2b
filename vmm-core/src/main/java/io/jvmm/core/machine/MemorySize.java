package io.jvmm.core.machine;

import io.jvmm.core.memory.MemoryLayout;
import java.math.BigDecimal;
import java.util.Locale;

/**
 * Parses QEMU's {@code -m} syntax: a decimal (or 0x-prefixed hex) number with an optional suffix
 * B, K, M, G or T (powers of 1024, case-insensitive, an optional "iB"); without a suffix the unit
 * is MiB. Signs and exponents are refused. {@code size=}
 * prefix accepted. Rounded up to whole 4 KiB pages.
 */
public final class MemorySize {
    private MemorySize() {
    }

    /**
     * Bytes for {@code spec}, checked against the machine's limits.
     *
     * @throws ConfigException naming the problem and the valid range
     */
    public static long parse(String spec) throws ConfigException {
        if (spec == null || spec.isBlank()) {
            throw new ConfigException("Invalid -m '': give a size such as 64M or 1G");
        }
        String s = spec.trim();
        if (s.toLowerCase(Locale.ROOT).startsWith("size=")) {
            s = s.substring(5);
        }
        String lower = s.toLowerCase(Locale.ROOT);
        if (lower.endsWith("ib") && lower.length() >= 3 && "kmgt".indexOf(lower.charAt(lower.length() - 3)) >= 0) {
            lower = lower.substring(0, lower.length() - 2);
        }
        long unit = 1L << 20;
        if (!lower.isEmpty()) {
            char last = lower.charAt(lower.length() - 1);
            int shift = switch (last) {
                case 'b' -> 0;
                case 'k' -> 10;
                case 'm' -> 20;
                case 'g' -> 30;
                case 't' -> 40;
                default -> -1;
            };
            if (shift >= 0) {
                unit = 1L << shift;
                lower = lower.substring(0, lower.length() - 1);
            }
        }
        BigDecimal n;
        try {
            if (lower.matches("0x[0-9a-f]+")) {
                n = new BigDecimal(new java.math.BigInteger(lower.substring(2), 16));
            } else if (lower.matches("-?[0-9]+(\\.[0-9]+)?")) {
                n = new BigDecimal(lower);
            } else {
                throw new NumberFormatException(lower);
            }
        } catch (NumberFormatException e) {
            throw new ConfigException("Invalid -m '" + spec + "': expected a size such as 64M, 512M or 2G");
        }
        if (n.signum() <= 0) {
            throw new ConfigException("Invalid -m '" + spec + "': memory size must be greater than zero");
        }
        BigDecimal bytes = n.multiply(BigDecimal.valueOf(unit));
        if (bytes.compareTo(BigDecimal.valueOf(MemoryLayout.MAX_RAM)) > 0) {
            throw new ConfigException("Invalid -m '" + spec + "': at most " + (MemoryLayout.MAX_RAM >> 20)
                    + "M of guest RAM is supported");
        }
        long b = bytes.setScale(0, java.math.RoundingMode.CEILING).longValueExact();
        b = (b + 0xfff) & ~0xfffL;
        if (b < MemoryLayout.MIN_RAM) {
            throw new ConfigException("Invalid -m '" + spec + "': at least " + (MemoryLayout.MIN_RAM >> 20)
                    + "M of guest RAM is needed");
        }
        return b;
    }
}
