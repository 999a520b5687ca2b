package io.jvmm.core.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * SmpTopology against QEMU's -smp syntax and its derivation rules since 6.2 ("prefer cores over
 * sockets", threads computed last, count defaulting to maxcpus), plus the APIC ID layout.
 */
class SmpTopologyTest {

    private static SmpTopology parse(String spec) throws ConfigException {
        return SmpTopology.parse(spec);
    }

    private static void assertTopology(String spec, int cpus, int maxCpus, int sockets, int cores, int threads)
            throws ConfigException {
        assertEquals(new SmpTopology(cpus, maxCpus, sockets, cores, threads), parse(spec), spec);
    }

    private static void assertError(String spec, String message) {
        ConfigException e = assertThrows(ConfigException.class, () -> parse(spec), spec);
        assertEquals(message, e.getMessage());
    }

    private static List<Integer> apicIds(SmpTopology t) {
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < t.maxCpus(); i++) {
            ids.add(t.apicId(i));
        }
        return ids;
    }

    // ---------------------------------------------------------------- derivation

    @ParameterizedTest(name = "-smp {0}")
    @CsvSource(delimiter = '|', value = {
        // the 8-CPU examples: every mix of given members
        "8                              | 8 | 8 | 1 | 8 | 1",
        "8,sockets=2                    | 8 | 8 | 2 | 4 | 1",
        "8,cores=2                      | 8 | 8 | 4 | 2 | 1",
        "8,threads=2                    | 8 | 8 | 1 | 4 | 2",
        "8,sockets=2,cores=2            | 8 | 8 | 2 | 2 | 2",
        "8,sockets=2,threads=2          | 8 | 8 | 2 | 2 | 2",
        "8,cores=2,threads=2            | 8 | 8 | 2 | 2 | 2",
        "8,sockets=2,cores=2,threads=2  | 8 | 8 | 2 | 2 | 2",
        "8,sockets=2,cores=2,threads=2,maxcpus=8 | 8 | 8 | 2 | 2 | 2",
        "8,sockets=8                    | 8 | 8 | 8 | 1 | 1",
        "8,cores=8                      | 8 | 8 | 1 | 8 | 1",
        "8,threads=8                    | 8 | 8 | 1 | 1 | 8",
        "8,sockets=4,cores=2            | 8 | 8 | 4 | 2 | 1",
        "8,sockets=1,threads=4          | 8 | 8 | 1 | 2 | 4",
        // no count: missing members are 1, the count is the product
        "sockets=2,cores=2,threads=2    | 8 | 8 | 2 | 2 | 2",
        "cores=4                        | 4 | 4 | 1 | 4 | 1",
        "sockets=2                      | 2 | 2 | 2 | 1 | 1",
        "threads=2                      | 2 | 2 | 1 | 1 | 2",
        // maxcpus
        "cpus=4,maxcpus=8               | 4 | 8 | 1 | 8 | 1",
        "4,maxcpus=8                    | 4 | 8 | 1 | 8 | 1",
        "maxcpus=8                      | 8 | 8 | 1 | 8 | 1",
        "4,maxcpus=8,sockets=2          | 4 | 8 | 2 | 4 | 1",
        "4,maxcpus=6,sockets=1,cores=3,threads=2 | 4 | 6 | 1 | 3 | 2",
        "2,maxcpus=4,cores=2            | 2 | 4 | 2 | 2 | 1",
        // larger
        "16,sockets=2,cores=4,threads=2 | 16 | 16 | 2 | 4 | 2",
        "32,sockets=1,cores=8,threads=4 | 32 | 32 | 1 | 8 | 4",
        "6,cores=3                      | 6 | 6 | 2 | 3 | 1",
        "1                              | 1 | 1 | 1 | 1 | 1",
        "cpus=2                         | 2 | 2 | 1 | 2 | 1",
        "8,dies=1                       | 8 | 8 | 1 | 8 | 1",
    })
    void derivesTheMissingMembers(String spec, int cpus, int maxCpus, int sockets, int cores, int threads)
            throws ConfigException {
        assertTopology(spec.trim(), cpus, maxCpus, sockets, cores, threads);
    }

    @Test
    void namesAreCaseInsensitiveAndBlanksAroundItemsAreIgnored() throws ConfigException {
        assertTopology(" 8 , Sockets = 2 ,CORES=2", 8, 8, 2, 2, 2);
    }

    @Test
    void singleIsAUniprocessor() throws ConfigException {
        assertEquals(SmpTopology.SINGLE, parse("1"));
        assertEquals("1,sockets=1,cores=1,threads=1,maxcpus=1", SmpTopology.SINGLE.canonical());
    }

    @Test
    void canonicalFormParsesBackToTheSameTopology() throws ConfigException {
        for (String spec : List.of("8", "8,threads=2", "4,maxcpus=6,sockets=1,cores=3,threads=2",
                "sockets=2,cores=2,threads=2")) {
            SmpTopology t = parse(spec);
            assertEquals(t, parse(t.canonical()), spec);
        }
        assertEquals("8,sockets=2,cores=2,threads=2,maxcpus=8", parse("8,sockets=2,cores=2,threads=2").canonical());
        assertEquals("4,sockets=1,cores=8,threads=1,maxcpus=8", parse("4,maxcpus=8").canonical());
    }

    // ---------------------------------------------------------------- APIC IDs

    @Test
    void apicIdsOfPowerOfTwoTopologiesAreDense() throws ConfigException {
        SmpTopology t = parse("8,sockets=2,cores=2,threads=2");
        assertEquals(1, t.threadBits());
        assertEquals(1, t.coreBits());
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7), apicIds(t));
        assertEquals(7, t.maxApicId());

        SmpTopology big = parse("32,sockets=1,cores=8,threads=4");
        assertEquals(2, big.threadBits());
        assertEquals(3, big.coreBits());
        assertEquals(31, big.maxApicId());
        // CPU 13: thread 1 of core 3
        assertEquals((3 << 2) | 1, big.apicId(13));
    }

    @Test
    void apicIdFieldsForTwoSocketsOfFourCoresOfTwoThreads() throws ConfigException {
        SmpTopology t = parse("16,sockets=2,cores=4,threads=2");
        assertEquals(1, t.threadBits());
        assertEquals(2, t.coreBits());
        // CPU 11: socket 1, core 1, thread 1
        assertEquals((1 << 3) | (1 << 1) | 1, t.apicId(11));
        assertEquals(15, t.maxApicId());
    }

    @Test
    void threeCoresLeaveGapsBetweenSockets() throws ConfigException {
        SmpTopology t = parse("12,sockets=2,cores=3,threads=2");
        assertEquals(1, t.threadBits());
        assertEquals(2, t.coreBits(), "3 cores need 2 bits");
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 8, 9, 10, 11, 12, 13), apicIds(t));
        assertEquals(13, t.maxApicId());
    }

    @Test
    void threeThreadsLeaveGapsBetweenCores() throws ConfigException {
        SmpTopology t = parse("12,sockets=2,cores=2,threads=3");
        assertEquals(2, t.threadBits());
        assertEquals(1, t.coreBits());
        assertEquals(List.of(0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14), apicIds(t));
    }

    @Test
    void oneSocketOfThreeCoresOfTwoThreads() throws ConfigException {
        SmpTopology t = parse("6,sockets=1,cores=3,threads=2");
        assertEquals(List.of(0, 1, 2, 3, 4, 5), apicIds(t));
        assertEquals(5, t.maxApicId());
    }

    @Test
    void fiveCoresUseThreeBits() throws ConfigException {
        SmpTopology t = parse("10,sockets=2");
        assertEquals(5, t.cores());
        assertEquals(3, t.coreBits());
        assertEquals(0, t.threadBits());
        assertEquals(List.of(0, 1, 2, 3, 4, 8, 9, 10, 11, 12), apicIds(t));
    }

    @Test
    void hotpluggableCpusHaveApicIdsToo() throws ConfigException {
        SmpTopology t = parse("2,maxcpus=8,sockets=2,cores=2,threads=2");
        assertEquals(7, t.maxApicId(), "the highest ID counts every possible CPU, not just present ones");
        assertEquals(6, t.apicId(6));
    }

    @Test
    void uniprocessorHasNoTopologyBits() {
        assertEquals(0, SmpTopology.SINGLE.threadBits());
        assertEquals(0, SmpTopology.SINGLE.coreBits());
        assertEquals(0, SmpTopology.SINGLE.apicId(0));
        assertEquals(0, SmpTopology.SINGLE.maxApicId());
    }

    // ---------------------------------------------------------------- errors

    @Test
    void emptySpec() {
        String msg = "Invalid -smp '': give a CPU count, e.g. -smp 4 or -smp 8,sockets=2,cores=2,threads=2";
        assertError("", msg);
        assertError("   ", msg);
        assertError(null, msg);
    }

    @Test
    void zeroAndNegativeCounts() {
        assertError("0", "Invalid -smp '0': CPU topology parameters must be greater than zero, got cpus=0");
        assertError("-1", "Invalid -smp '-1': CPU topology parameters must be greater than zero, got cpus=-1");
        assertError("8,sockets=0", "Invalid -smp '8,sockets=0': CPU topology parameters must be greater than zero, "
                + "got sockets=0");
        assertError("8,maxcpus=-8", "Invalid -smp '8,maxcpus=-8': CPU topology parameters must be greater than "
                + "zero, got maxcpus=-8");
    }

    @Test
    void notANumber() {
        assertError("abc", "Invalid -smp 'abc': cpus must be a whole number, got 'abc'");
        assertError("8,cores=two", "Invalid -smp '8,cores=two': cores must be a whole number, got 'two'");
        assertError("8,threads=", "Invalid -smp '8,threads=': threads must be a whole number, got ''");
        assertError("2.5", "Invalid -smp '2.5': cpus must be a whole number, got '2.5'");
        assertError("99999999999", "Invalid -smp '99999999999': cpus must be a whole number, got '99999999999'");
    }

    @Test
    void productDoesNotMatch() {
        assertError("8,sockets=3", "Invalid -smp '8,sockets=3': sockets (3) * cores (2) * threads (1) = 6 must "
                + "equal maxcpus (8)");
        assertError("8,sockets=2,cores=2,threads=1", "Invalid -smp '8,sockets=2,cores=2,threads=1': sockets (2) * "
                + "cores (2) * threads (1) = 4 must equal maxcpus (8)");
        assertError("2,sockets=4", "Invalid -smp '2,sockets=4': sockets (4) * cores (1) * threads (1) = 4 must "
                + "equal maxcpus (2)");
        assertError("4,maxcpus=6,cores=4", "Invalid -smp '4,maxcpus=6,cores=4': sockets (1) * cores (4) * "
                + "threads (1) = 4 must equal maxcpus (6)");
    }

    @Test
    void hugeMembersAreAConfigErrorNotAnArithmeticCrash() {
        // the products of the given members overflow an int: must still be a ConfigException
        assertError("8,sockets=65536,threads=65536", "Invalid -smp '8,sockets=65536,threads=65536': sockets (65536) "
                + "* cores (1) * threads (65536) = 4294967296 must equal maxcpus (8)");
        assertError("8,cores=65536,threads=65536", "Invalid -smp '8,cores=65536,threads=65536': sockets (1) "
                + "* cores (65536) * threads (65536) = 4294967296 must equal maxcpus (8)");
        assertError("maxcpus=8,sockets=65536,cores=65536", "Invalid -smp 'maxcpus=8,sockets=65536,cores=65536': "
                + "sockets (65536) * cores (65536) * threads (1) = 4294967296 must equal maxcpus (8)");
    }

    @Test
    void moreCpusThanMaxcpus() {
        assertError("4,maxcpus=2", "Invalid -smp '4,maxcpus=2': 4 CPUs is more than maxcpus (2)");
    }

    @Test
    void unknownParameter() {
        assertError("8,foo=1", "Invalid -smp '8,foo=1': unknown parameter 'foo' (valid: cpus, maxcpus, sockets, "
                + "dies, cores, threads)");
        assertError("8,clusters=1", "Invalid -smp '8,clusters=1': unknown parameter 'clusters' (valid: cpus, "
                + "maxcpus, sockets, dies, cores, threads)");
    }

    @Test
    void parameterGivenTwice() {
        assertError("8,cores=2,cores=2", "Invalid -smp '8,cores=2,cores=2': 'cores' given twice");
        assertError("8,cpus=8", "Invalid -smp '8,cpus=8': 'cpus' given twice");
    }

    @Test
    void moreThanOneDie() {
        assertError("8,dies=2", "Invalid -smp '8,dies=2': dies=2 is not supported; only one die per socket (dies=1)");
    }

    @Test
    void unnamedValueAfterTheFirst() {
        assertError("8,2", "Invalid -smp '8,2': '2' needs a name (cpus=, maxcpus=, sockets=, dies=, cores=, "
                + "threads=)");
        assertError("8,", "Invalid -smp '8,': '' needs a name (cpus=, maxcpus=, sockets=, dies=, cores=, threads=)");
    }
}
