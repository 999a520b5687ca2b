package io.jvmm.core.firmware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.core.machine.SmpTopology;
import io.jvmm.kvm.CpuidEntry;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * CpuidTable over a fake KVM_GET_SUPPORTED_CPUID of an AMD Zen 3 host: every leaf a guest can use
 * to learn the topology (1, 4, 0xB, 0x80000008, 0x8000001D, 0x8000001E) must agree with
 * SmpTopology and name the asking CPU's APIC ID; everything else passes through untouched.
 */
class CpuidTableTest {
    private static final int SIG = 1; // KVM_CPUID_FLAG_SIGNIFCANT_INDEX

    // leaf 0: max basic leaf 0x10, "AuthenticAMD"
    private static final CpuidEntry LEAF0 = new CpuidEntry(0, 0, 0, 0x10, 0x68747541, 0x444d4163, 0x69746e65);
    // leaf 1: Zen 3 signature; EBX carries a stale APIC ID 0x0a and count 0x10 that must be replaced
    private static final CpuidEntry LEAF1 = new CpuidEntry(1, 0, 0, 0x00A20F12, 0x0A100800, 0x7ED8320B, 0x178BFBFF);
    private static final CpuidEntry LEAF7 = new CpuidEntry(7, 0, SIG, 0, 0x219C97A9, 0x0040069C, 0x00000010);
    private static final CpuidEntry LEAFD0 = new CpuidEntry(0xd, 0, SIG, 0x207, 0x340, 0x988, 0);
    private static final CpuidEntry LEAFD1 = new CpuidEntry(0xd, 1, SIG, 0xf, 0x340, 0, 0);
    private static final CpuidEntry EXT0 = new CpuidEntry(0x80000000, 0, 0, 0x80000023, 0x68747541, 0x444d4163,
            0x69746e65);
    private static final CpuidEntry EXT1 = new CpuidEntry(0x80000001, 0, 0, 0x00A20F12, 0x20000000, 0x75C237FF,
            0x2FD3FBFF);
    // 0x80000008: 48-bit physical/virtual; ECX = PerfTscSize 1 (bit 16), ApicIdSize 7, NC 15 from the host
    private static final CpuidEntry EXT8 = new CpuidEntry(0x80000008, 0, 0, 0x00003030, 0x111EF657, 0x0001700F, 0);
    // 0x8000001D: L1d, L1i, L2 shared by 2 threads, L3 shared by 16, then the null subleaf
    private static final List<CpuidEntry> EXT1D = List.of(
            new CpuidEntry(0x8000001d, 0, SIG, 0x00004121, 0x01C0003F, 0x0000003F, 0),
            new CpuidEntry(0x8000001d, 1, SIG, 0x00004122, 0x01C0003F, 0x0000003F, 0),
            new CpuidEntry(0x8000001d, 2, SIG, 0x00004143, 0x01C0003F, 0x000003FF, 2),
            new CpuidEntry(0x8000001d, 3, SIG, 0x0003C163, 0x03C0003F, 0x00007FFF, 1),
            new CpuidEntry(0x8000001d, 4, SIG, 0, 0, 0, 0));
    private static final CpuidEntry EXT1E = new CpuidEntry(0x8000001e, 0, 0, 0x0000000A, 0x00000105, 0x00000000, 0);

    private static List<CpuidEntry> amdHost(int maxBasicLeaf, boolean withLeaf1f) {
        List<CpuidEntry> l = new ArrayList<>();
        l.add(LEAF0.withRegisters(maxBasicLeaf, LEAF0.ebx(), LEAF0.ecx(), LEAF0.edx()));
        l.add(LEAF1);
        l.add(new CpuidEntry(4, 0, SIG, 0, 0, 0, 0)); // KVM reports leaf 4 as zeros on AMD
        l.add(LEAF7);
        l.add(new CpuidEntry(0xb, 0, SIG, 0, 0, 0, 0));
        l.add(new CpuidEntry(0xb, 1, SIG, 0, 0, 0, 0));
        l.add(LEAFD0);
        l.add(LEAFD1);
        if (withLeaf1f) {
            l.add(new CpuidEntry(0x1f, 0, SIG, 0, 0, 0, 0));
        }
        l.add(EXT0);
        l.add(EXT1);
        l.add(EXT8);
        l.addAll(EXT1D);
        l.add(EXT1E);
        return l;
    }

    private static List<CpuidEntry> amdHost() {
        return amdHost(0x1c, false);
    }

    /** The table as a guest sees it: one entry per (function, index). */
    private static Map<Long, CpuidEntry> byKey(List<CpuidEntry> table) {
        return table.stream().collect(Collectors.toMap(CpuidTableTest::key, Function.identity()));
    }

    private static long key(CpuidEntry e) {
        return ((long) e.function() << 32) | (e.index() & 0xffffffffL);
    }

    private static long key(int function, int index) {
        return ((long) function << 32) | index;
    }

    private static CpuidEntry get(Map<Long, CpuidEntry> t, int function, int index) {
        CpuidEntry e = t.get(key(function, index));
        assertTrue(e != null, String.format("leaf 0x%x.%d missing", function, index));
        return e;
    }

    private static int bits(int v, int hi, int lo) {
        return (v >>> lo) & ((1 << (hi - lo + 1)) - 1);
    }

    // ---------------------------------------------------------------- structure

    @ParameterizedTest
    @ValueSource(strings = {"8,sockets=2,cores=2,threads=2", "6,sockets=1,cores=3,threads=2", "1"})
    void noLeafIsListedTwiceAndNoneIsLost(String smp) throws Exception {
        SmpTopology t = SmpTopology.parse(smp);
        List<CpuidEntry> host = amdHost();
        for (int i = 0; i < t.cpus(); i++) {
            List<CpuidEntry> table = new CpuidTable(host, t).forCpu(t.apicId(i));
            Set<Long> keys = new HashSet<>();
            for (CpuidEntry e : table) {
                assertTrue(keys.add(key(e)), "duplicate " + e);
            }
            for (CpuidEntry e : host) {
                assertTrue(keys.contains(key(e)), "lost " + e);
            }
        }
    }

    /** A host KVM table, with the TSC-deadline timer and the invariant TSC listed or not (newer kernels list both). */
    private static List<CpuidEntry> kvmTable(boolean listsTimers) {
        List<CpuidEntry> t = new ArrayList<>(amdHost());
        int deadline = listsTimers ? CpuidTable.ECX_TSC_DEADLINE : 0;
        int invtsc = listsTimers ? CpuidTable.EDX_INVARIANT_TSC : 0;
        t.replaceAll(e -> e.function() == 1 ? e.withRegisters(e.eax(), e.ebx(), e.ecx() | deadline, e.edx()) : e);
        t.add(new CpuidEntry(0x80000007, 0, 0, 0, 0, 0, invtsc | 0x200)); // and bit 9, which stays
        return t;
    }

    /** The guest's CPU follows the model, not the host kernel: both timer features only when asked for, and nothing else changes. */
    @ParameterizedTest(name = "KVM lists them: {0}")
    @ValueSource(booleans = {false, true})
    void theTscDeadlineTimerAndTheInvariantTscAreOnOnlyWhenTheModelTurnsThemOn(boolean listed) {
        List<CpuidEntry> kvm = kvmTable(listed);
        List<CpuidEntry> plain = CpuidTable.supported(kvm, true, CpuModel.HOST);
        List<CpuidEntry> both = CpuidTable.supported(kvm, true, CpuModel.parse("host,+tsc-deadline,+invtsc"));
        List<CpuidEntry> noTimer = CpuidTable.supported(kvm, false, CpuModel.parse("host,+tsc-deadline"));
        assertEquals(kvm.size(), plain.size());
        for (int i = 0; i < kvm.size(); i++) {
            CpuidEntry k = kvm.get(i);
            String leaf = "leaf 0x" + Integer.toHexString(k.function());
            int deadline = k.function() == 1 ? CpuidTable.ECX_TSC_DEADLINE : 0;
            int invtsc = k.function() == 0x80000007 ? CpuidTable.EDX_INVARIANT_TSC : 0;
            assertEquals(k.ecx() & ~deadline, plain.get(i).ecx(), leaf);
            assertEquals(k.edx() & ~invtsc, plain.get(i).edx(), leaf);
            assertEquals(k.ecx() | deadline, both.get(i).ecx(), leaf + ": KVM emulates the timer wherever it has the capability");
            assertEquals(listed ? k.edx() : k.edx() & ~invtsc, both.get(i).edx(), leaf + ": the host's invariant TSC, if it has one");
            assertEquals(k.ecx() & ~deadline, noTimer.get(i).ecx(), leaf + ": no capability, no timer");
            assertEquals(List.of(k.eax(), k.ebx()), List.of(plain.get(i).eax(), plain.get(i).ebx()), leaf);
        }
        if (!listed) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> CpuModel.parse("host,+invtsc").apply(CpuidTable.supported(kvm, true, CpuModel.parse("host,+invtsc"))));
            assertTrue(e.getMessage().contains("does not support 'invtsc'"), e.getMessage());
        }
    }

    @Test
    void leavesWithoutTopologyPassThroughUnchanged() throws Exception {
        SmpTopology t = SmpTopology.parse("8,sockets=2,cores=2,threads=2");
        for (int i = 0; i < t.cpus(); i++) {
            Map<Long, CpuidEntry> m = byKey(new CpuidTable(amdHost(), t).forCpu(t.apicId(i)));
            for (CpuidEntry e : List.of(LEAF7, LEAFD0, LEAFD1, EXT0, EXT1)) {
                assertEquals(e, m.get(key(e)));
            }
        }
    }

    @Test
    void signatureAndFeaturesComeFromLeaf1() throws Exception {
        CpuidTable c = new CpuidTable(amdHost(), SmpTopology.SINGLE);
        assertEquals(0x00A20F12, c.signature());
        assertEquals(0x178BFBFF, c.features());
        CpuidTable none = new CpuidTable(List.of(LEAF0), SmpTopology.SINGLE);
        assertEquals(0, none.signature());
        assertEquals(0, none.features());
    }

    @Test
    void supportedListIsCopied() throws Exception {
        List<CpuidEntry> host = new ArrayList<>(amdHost());
        CpuidTable c = new CpuidTable(host, SmpTopology.SINGLE);
        host.clear();
        assertEquals(0x00A20F12, c.signature());
        assertFalse(c.forCpu(0).isEmpty());
    }

    // ---------------------------------------------------------------- leaf 0

    @Test
    void leaf0MaxLeafIsRaisedToCoverLeafB() throws Exception {
        SmpTopology t = SmpTopology.parse("8,sockets=2,cores=2,threads=2");
        CpuidEntry low = get(byKey(new CpuidTable(amdHost(0x0d, false), t).forCpu(0)), 0, 0);
        assertEquals(0x0d, low.eax(), "0xd is already above 0xb");
        CpuidEntry old = get(byKey(new CpuidTable(amdHost(0x07, false), t).forCpu(0)), 0, 0);
        assertEquals(0xb, old.eax(), "max leaf 7 raised to 0xB");
        CpuidEntry high = get(byKey(new CpuidTable(amdHost(), t).forCpu(0)), 0, 0);
        assertEquals(0x1c, high.eax(), "never lowered");
        assertEquals(LEAF0.ebx(), high.ebx());
        assertEquals(LEAF0.ecx(), high.ecx());
        assertEquals(LEAF0.edx(), high.edx());
    }

    // ---------------------------------------------------------------- leaf 1

    @ParameterizedTest
    @ValueSource(strings = {"8,sockets=2,cores=2,threads=2", "6,sockets=1,cores=3,threads=2"})
    void leaf1NamesTheCpuAndItsPackage(String smp) throws Exception {
        SmpTopology t = SmpTopology.parse(smp);
        for (int i = 0; i < t.cpus(); i++) {
            int apicId = t.apicId(i);
            CpuidEntry e = get(byKey(new CpuidTable(amdHost(), t).forCpu(apicId)), 1, 0);
            assertEquals(apicId, e.ebx() >>> 24, "initial APIC ID");
            assertEquals(t.cores() * t.threads(), bits(e.ebx(), 23, 16), "logical processors per package");
            assertEquals(0x0800, e.ebx() & 0xffff, "CLFLUSH size and brand index kept");
            assertEquals(1 << 28, e.edx() & (1 << 28), "HTT");
            assertEquals(LEAF1.edx(), e.edx(), "other feature flags kept");
            assertEquals(1 << 31, e.ecx() & (1 << 31), "hypervisor present");
            assertEquals(LEAF1.ecx(), e.ecx() & 0x7fffffff, "other ECX flags kept");
            assertEquals(LEAF1.eax(), e.eax());
        }
    }

    @Test
    void leaf1OfAUniprocessorClearsHtt() throws Exception {
        CpuidEntry e = get(byKey(new CpuidTable(amdHost(), SmpTopology.SINGLE).forCpu(0)), 1, 0);
        assertEquals(0, e.edx() & (1 << 28), "HTT clear: one logical processor per package");
        assertEquals(LEAF1.edx() & ~(1 << 28), e.edx());
        assertEquals(1, bits(e.ebx(), 23, 16));
        assertEquals(0, e.ebx() >>> 24);
    }

    @Test
    void leaf1OfOneThreadPerPackageAcrossSocketsClearsHtt() throws Exception {
        SmpTopology t = SmpTopology.parse("4,sockets=4");
        CpuidEntry e = get(byKey(new CpuidTable(amdHost(), t).forCpu(3)), 1, 0);
        assertEquals(0, e.edx() & (1 << 28));
        assertEquals(3, e.ebx() >>> 24);
    }

    // ---------------------------------------------------------------- leaf 0xB

    @ParameterizedTest
    @ValueSource(strings = {"8,sockets=2,cores=2,threads=2", "6,sockets=1,cores=3,threads=2"})
    void leafBDescribesSmtAndCoreLevels(String smp) throws Exception {
        SmpTopology t = SmpTopology.parse(smp);
        int threadShift = t.threads() > 1 ? 32 - Integer.numberOfLeadingZeros(t.threads() - 1) : 0;
        int coreShift = threadShift + (t.cores() > 1 ? 32 - Integer.numberOfLeadingZeros(t.cores() - 1) : 0);
        for (int i = 0; i < t.cpus(); i++) {
            int apicId = t.apicId(i);
            Map<Long, CpuidEntry> m = byKey(new CpuidTable(amdHost(), t).forCpu(apicId));
            CpuidEntry smt = get(m, 0xb, 0);
            assertTrue(smt.indexSignificant());
            assertEquals(threadShift, smt.eax() & 0x1f, "SMT shift");
            assertEquals(t.threads(), smt.ebx() & 0xffff, "threads per core");
            assertEquals(1, bits(smt.ecx(), 15, 8), "level type SMT");
            assertEquals(0, smt.ecx() & 0xff, "level number");
            assertEquals(apicId, smt.edx(), "x2APIC ID");

            CpuidEntry core = get(m, 0xb, 1);
            assertTrue(core.indexSignificant());
            assertEquals(coreShift, core.eax() & 0x1f, "core shift");
            assertEquals(t.threads() * t.cores(), core.ebx() & 0xffff, "logical processors per package");
            assertEquals(2, bits(core.ecx(), 15, 8), "level type core");
            assertEquals(1, core.ecx() & 0xff, "level number");
            assertEquals(apicId, core.edx());

            CpuidEntry end = get(m, 0xb, 2);
            assertEquals(0, end.ebx() & 0xffff, "invalid level has no processors");
            assertEquals(0, bits(end.ecx(), 15, 8), "level type invalid");
            assertEquals(2, end.ecx() & 0xff, "level number echoes the subleaf");
            assertEquals(apicId, end.edx());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"8,sockets=2,cores=2,threads=2", "6,sockets=1,cores=3,threads=2",
        "12,sockets=2,cores=3,threads=2"})
    void leafBLetsAGuestDecodeSocketCoreAndThread(String smp) throws Exception {
        SmpTopology t = SmpTopology.parse(smp);
        Set<List<Integer>> seen = new HashSet<>();
        for (int i = 0; i < t.cpus(); i++) {
            Map<Long, CpuidEntry> m = byKey(new CpuidTable(amdHost(), t).forCpu(t.apicId(i)));
            int id = get(m, 0xb, 0).edx();
            int smtShift = get(m, 0xb, 0).eax() & 0x1f;
            int coreShift = get(m, 0xb, 1).eax() & 0x1f;
            int thread = id & ((1 << smtShift) - 1);
            int core = (id >> smtShift) & ((1 << (coreShift - smtShift)) - 1);
            int socket = id >> coreShift;
            assertEquals(List.of(i / (t.cores() * t.threads()), (i / t.threads()) % t.cores(), i % t.threads()),
                    List.of(socket, core, thread), "CPU " + i);
            assertTrue(seen.add(List.of(socket, core, thread)));
        }
    }

    @Test
    void leaf1fIsWrittenOnlyWhenTheHostHasIt() throws Exception {
        SmpTopology t = SmpTopology.parse("8,sockets=2,cores=2,threads=2");
        Map<Long, CpuidEntry> without = byKey(new CpuidTable(amdHost(), t).forCpu(5));
        assertFalse(without.keySet().stream().anyMatch(k -> (k >>> 32) == 0x1f));
        Map<Long, CpuidEntry> with = byKey(new CpuidTable(amdHost(0x1f, true), t).forCpu(5));
        for (int sub = 0; sub < 3; sub++) {
            CpuidEntry b = get(with, 0xb, sub);
            CpuidEntry f = get(with, 0x1f, sub);
            assertEquals(List.of(b.eax(), b.ebx(), b.ecx(), b.edx()), List.of(f.eax(), f.ebx(), f.ecx(), f.edx()));
        }
        assertEquals(5, get(with, 0x1f, 0).edx());
    }

    // ---------------------------------------------------------------- leaf 4

    @ParameterizedTest
    @ValueSource(strings = {"8,sockets=2,cores=2,threads=2", "6,sockets=1,cores=3,threads=2"})
    void leaf4DescribesTheCachesAndWhoSharesThem(String smp) throws Exception {
        SmpTopology t = SmpTopology.parse(smp);
        // addressable IDs: the power of two covering the count
        int threadIds = Integer.highestOneBit(t.threads() * 2 - 1);
        int coreIds = Integer.highestOneBit(t.cores() * 2 - 1);
        Map<Long, CpuidEntry> m = byKey(new CpuidTable(amdHost(), t).forCpu(t.apicId(t.cpus() - 1)));
        int[][] expected = { // type, level, size in bytes, sharing IDs
            {1, 1, 32 << 10, threadIds},
            {2, 1, 32 << 10, threadIds},
            {3, 2, 512 << 10, threadIds},
            {3, 3, 16 << 20, threadIds * coreIds},
        };
        for (int sub = 0; sub < expected.length; sub++) {
            CpuidEntry e = get(m, 4, sub);
            assertTrue(e.indexSignificant());
            assertEquals(expected[sub][0], bits(e.eax(), 4, 0), "type of subleaf " + sub);
            assertEquals(expected[sub][1], bits(e.eax(), 7, 5), "level of subleaf " + sub);
            assertEquals(1, bits(e.eax(), 8, 8), "self-initializing");
            assertEquals(coreIds - 1, bits(e.eax(), 31, 26), "EAX[31:26] cores per package - 1, subleaf " + sub);
            assertEquals(expected[sub][3] - 1, bits(e.eax(), 25, 14), "EAX[25:14] sharing - 1, subleaf " + sub);
            long size = (long) (bits(e.ebx(), 31, 22) + 1) * (bits(e.ebx(), 21, 12) + 1) * (bits(e.ebx(), 11, 0) + 1)
                    * (e.ecx() + 1L);
            assertEquals(expected[sub][2], size, "size of subleaf " + sub);
            assertEquals(64, bits(e.ebx(), 11, 0) + 1, "line size");
        }
        assertEquals(0, bits(get(m, 4, 4).eax(), 4, 0), "subleaf 4 ends the list");
    }

    @Test
    void leaf4OfTheTwoByTwoByTwoMachineExactly() throws Exception {
        SmpTopology t = SmpTopology.parse("8,sockets=2,cores=2,threads=2");
        Map<Long, CpuidEntry> m = byKey(new CpuidTable(amdHost(), t).forCpu(0));
        assertEquals(1, bits(get(m, 4, 0).eax(), 31, 26));
        assertEquals(1, bits(get(m, 4, 0).eax(), 25, 14));
        assertEquals(1, bits(get(m, 4, 2).eax(), 25, 14));
        assertEquals(3, bits(get(m, 4, 3).eax(), 25, 14));
    }

    @Test
    void leaf4OfTheOneByThreeByTwoMachineExactly() throws Exception {
        SmpTopology t = SmpTopology.parse("6,sockets=1,cores=3,threads=2");
        Map<Long, CpuidEntry> m = byKey(new CpuidTable(amdHost(), t).forCpu(0));
        assertEquals(3, bits(get(m, 4, 1).eax(), 31, 26), "3 cores need 4 core IDs");
        assertEquals(1, bits(get(m, 4, 1).eax(), 25, 14));
        assertEquals(7, bits(get(m, 4, 3).eax(), 25, 14), "the L3 spans all 8 IDs of the package");
    }

    // ---------------------------------------------------------------- AMD leaves

    @ParameterizedTest
    @ValueSource(strings = {"8,sockets=2,cores=2,threads=2", "6,sockets=1,cores=3,threads=2"})
    void amdSizeLeafCountsThePackage(String smp) throws Exception {
        SmpTopology t = SmpTopology.parse(smp);
        CpuidEntry e = get(byKey(new CpuidTable(amdHost(), t).forCpu(0)), 0x80000008, 0);
        assertEquals(t.cores() * t.threads() - 1, bits(e.ecx(), 7, 0), "NC");
        assertEquals(t.threadBits() + t.coreBits(), bits(e.ecx(), 15, 12), "ApicIdSize");
        assertEquals(1, bits(e.ecx(), 17, 16), "PerfTscSize kept");
        assertEquals(EXT8.eax(), e.eax());
        assertEquals(EXT8.ebx(), e.ebx());
        assertEquals(EXT8.edx(), e.edx());
    }

    @Test
    void amdSizeLeafExactValues() throws Exception {
        assertEquals(0x00012003, get(byKey(new CpuidTable(amdHost(), SmpTopology.parse("8,sockets=2,cores=2,threads=2"))
                .forCpu(0)), 0x80000008, 0).ecx());
        assertEquals(0x00013005, get(byKey(new CpuidTable(amdHost(), SmpTopology.parse("6,sockets=1,cores=3,threads=2"))
                .forCpu(0)), 0x80000008, 0).ecx());
    }

    @ParameterizedTest
    @ValueSource(strings = {"8,sockets=2,cores=2,threads=2", "6,sockets=1,cores=3,threads=2"})
    void amdCacheLeafSharing(String smp) throws Exception {
        SmpTopology t = SmpTopology.parse(smp);
        Map<Long, CpuidEntry> m = byKey(new CpuidTable(amdHost(), t).forCpu(t.apicId(1)));
        for (int sub = 0; sub < 4; sub++) {
            CpuidEntry host = EXT1D.get(sub);
            CpuidEntry e = get(m, 0x8000001d, sub);
            int expectedSharing = sub == 3 ? t.cores() * t.threads() : t.threads();
            assertEquals(expectedSharing - 1, bits(e.eax(), 25, 14), "NumSharingCache of subleaf " + sub);
            assertEquals(host.eax() & ~(0xfff << 14), e.eax() & ~(0xfff << 14), "type, level, flags kept");
            assertEquals(host.ebx(), e.ebx());
            assertEquals(host.ecx(), e.ecx());
            assertEquals(host.edx(), e.edx());
        }
        assertEquals(EXT1D.get(4), get(m, 0x8000001d, 4), "null subleaf stays null");
    }

    @ParameterizedTest
    @ValueSource(strings = {"8,sockets=2,cores=2,threads=2", "6,sockets=1,cores=3,threads=2"})
    void amdTopologyLeafNamesCpuCoreAndNode(String smp) throws Exception {
        SmpTopology t = SmpTopology.parse(smp);
        for (int i = 0; i < t.cpus(); i++) {
            int apicId = t.apicId(i);
            CpuidEntry e = get(byKey(new CpuidTable(amdHost(), t).forCpu(apicId)), 0x8000001e, 0);
            assertEquals(apicId, e.eax(), "extended APIC ID");
            assertEquals((i / t.threads()) % t.cores(), bits(e.ebx(), 7, 0), "core ID of CPU " + i);
            assertEquals(t.threads() - 1, bits(e.ebx(), 15, 8), "threads per core - 1");
            assertEquals(i / (t.cores() * t.threads()), bits(e.ecx(), 7, 0), "node ID of CPU " + i);
            assertEquals(0, bits(e.ecx(), 10, 8), "one node per processor");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"8,sockets=2,cores=2,threads=2", "6,sockets=1,cores=3,threads=2"})
    void everyLeafNamesTheSameApicId(String smp) throws Exception {
        SmpTopology t = SmpTopology.parse(smp);
        Set<Integer> ids = new HashSet<>();
        for (int i = 0; i < t.cpus(); i++) {
            int apicId = t.apicId(i);
            Map<Long, CpuidEntry> m = byKey(new CpuidTable(amdHost(), t).forCpu(apicId));
            int leaf1 = get(m, 1, 0).ebx() >>> 24;
            assertEquals(leaf1, get(m, 0xb, 0).edx());
            assertEquals(leaf1, get(m, 0xb, 1).edx());
            assertEquals(leaf1, get(m, 0x8000001e, 0).eax());
            assertTrue(ids.add(leaf1));
        }
        assertEquals(t.cpus(), ids.size());
    }
}
