package io.jvmm.core.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** MemorySize: QEMU's -m syntax, the 2 MiB - 3 GiB range, rounding up to 4 KiB pages. */
class MemorySizeTest {
    private static final long K = 1024;
    private static final long M = K * K;
    private static final long G = K * M;

    private static void assertError(String spec, String message) {
        ConfigException e = assertThrows(ConfigException.class, () -> MemorySize.parse(spec), spec);
        assertEquals(message, e.getMessage());
    }

    @ParameterizedTest(name = "-m {0}")
    @CsvSource(delimiter = '|', value = {
        "64          | 67108864",    // no suffix: MiB
        "64M         | 67108864",
        "64m         | 67108864",
        "64MiB       | 67108864",
        "64mib       | 67108864",
        "size=64M    | 67108864",
        "SIZE=64m    | 67108864",
        "65536K      | 67108864",
        "65536KiB    | 67108864",
        "67108864B   | 67108864",
        "67108864b   | 67108864",
        "1G          | 1073741824",
        "1g          | 1073741824",
        "1GiB        | 1073741824",
        "1.5G        | 1610612736",
        "0.5G        | 536870912",
        "2.5M        | 2621440",
        "3G          | 3221225472",    // the largest
        "3072        | 3221225472",
        "2M          | 2097152",       // the smallest
        "2048K       | 2097152",
        "2097152B    | 2097152",
        "0.001953125G| 2097152",
        "0x40        | 67108864",    // hex, as QEMU accepts it
        "0x80000K    | 536870912",
    })
    void parsesSizes(String spec, long bytes) throws ConfigException {
        assertEquals(bytes, MemorySize.parse(spec));
    }

    @Test
    void surroundingBlanksAreIgnored() throws ConfigException {
        assertEquals(64 * M, MemorySize.parse("  64M "));
    }

    @Test
    void roundsUpToWholePages() throws ConfigException {
        assertEquals(2 * M + 4 * K, MemorySize.parse("2097153B"), "one byte over 2 MiB takes another page");
        assertEquals(2052 * K, MemorySize.parse("2049K"));
        assertEquals(2052 * K, MemorySize.parse("2052K"), "already whole pages: unchanged");
        // 2.0001 MiB = 2097257.0576 bytes: rounded up to a byte, then to a page
        assertEquals(2 * M + 4 * K, MemorySize.parse("2.0001M"));
        assertEquals(3 * G, MemorySize.parse("3145727K"), "3 GiB - 1 KiB rounds up to exactly the maximum");
        assertEquals(2 * M, MemorySize.parse("2045K"), "rounded up before the minimum is checked");
    }

    @ParameterizedTest
    @ValueSource(strings = {"64", "1.5G", "2049K", "2097153B", "3145727K", "100.3M"})
    void resultIsAlwaysWholePagesInRange(String spec) throws ConfigException {
        long b = MemorySize.parse(spec);
        assertEquals(0, b % 4096);
        assertEquals(true, b >= 2 * M && b <= 3 * G, spec + " -> " + b);
    }

    @Test
    void tooSmall() {
        assertError("512K", "Invalid -m '512K': at least 2M of guest RAM is needed");
        assertError("4096B", "Invalid -m '4096B': at least 2M of guest RAM is needed");
        assertError("1", "Invalid -m '1': at least 2M of guest RAM is needed");
        assertError("2044K", "Invalid -m '2044K': at least 2M of guest RAM is needed");
        assertError("0.000001", "Invalid -m '0.000001': at least 2M of guest RAM is needed");
    }

    @Test
    void tooLarge() {
        assertError("3073M", "Invalid -m '3073M': at most 3072M of guest RAM is supported");
        assertError("4G", "Invalid -m '4G': at most 3072M of guest RAM is supported");
        assertError("1T", "Invalid -m '1T': at most 3072M of guest RAM is supported");
        assertError("3221225473B", "Invalid -m '3221225473B': at most 3072M of guest RAM is supported");
        assertError("99999999999999999999999999G", "Invalid -m '99999999999999999999999999G': at most 3072M of "
                + "guest RAM is supported");
    }

    @Test
    void zeroAndNegative() {
        assertError("0", "Invalid -m '0': memory size must be greater than zero");
        assertError("0G", "Invalid -m '0G': memory size must be greater than zero");
        assertError("-64M", "Invalid -m '-64M': memory size must be greater than zero");
        assertError("-0", "Invalid -m '-0': memory size must be greater than zero");
    }

    @Test
    void empty() {
        String msg = "Invalid -m '': give a size such as 64M or 1G";
        assertError("", msg);
        assertError("  ", msg);
        assertError(null, msg);
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "64X", "M", "64MB", "64 M", "size=", "1.2.3G", "six", "64iB", "64GG", "G64", "1e3", "+64M",
        "0x", "0xZZ"})
    void garbage(String spec) {
        assertError(spec, "Invalid -m '" + spec + "': expected a size such as 64M, 512M or 2G");
    }
}
