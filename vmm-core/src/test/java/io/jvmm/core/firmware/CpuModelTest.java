package io.jvmm.core.firmware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.kvm.CpuidEntry;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code -cpu host[,+f][,-f]}: QEMU's feature names, their CPUID bits, and the errors. */
class CpuModelTest {
    /** A supported table with every bit of the leaves the names cover set. */
    private static final List<CpuidEntry> ALL_ON = List.of(
            new CpuidEntry(1, 0, 0, 0x000806f2, 0, -1, -1),
            new CpuidEntry(7, 0, 1, 0, -1, -1, -1),
            new CpuidEntry(0xd, 1, 1, -1, 0, 0, 0),
            new CpuidEntry(0x80000001, 0, 0, 0, 0, -1, -1));

    private static void bit(String name, int leaf, int register, int bit) {
        assertEquals(new CpuModel.Bit(leaf, leaf == 0xd ? 1 : 0, register, bit), CpuModel.FEATURES.get(name), name);
    }

    @Test
    void namesMapToTheirCpuidBits() {
        bit("cx16", 1, 2, 13);
        bit("x2apic", 1, 2, 21);
        bit("xsave", 1, 2, 26);
        bit("avx", 1, 2, 28);
        bit("rdrand", 1, 2, 30);
        bit("hypervisor", 1, 2, 31);
        bit("sse2", 1, 3, 26);
        bit("avx512f", 7, 1, 16);
        bit("sha-ni", 7, 1, 29);
        bit("avx512vl", 7, 1, 31);
        bit("umip", 7, 2, 2);
        bit("rdpid", 7, 2, 22);
        bit("md-clear", 7, 3, 10);
        bit("spec-ctrl", 7, 3, 26);
        bit("arch-capabilities", 7, 3, 29);
        bit("ssbd", 7, 3, 31);
        bit("xsaveopt", 0xd, 0, 0);
        bit("xsaves", 0xd, 0, 3);
        bit("lahf-lm", 0x80000001, 2, 0);
        bit("nx", 0x80000001, 3, 20);
        bit("pdpe1gb", 0x80000001, 3, 26);
        bit("lm", 0x80000001, 3, 29);
    }

    @Test
    void minusClearsTheBitPlusKeepsASupportedOne() {
        List<CpuidEntry> t = CpuModel.parse("host,-cx16,+avx,xsave=off,-arch-capabilities").apply(ALL_ON);
        assertEquals(0, t.get(0).ecx() & (1 << 13));
        assertEquals(0, t.get(0).ecx() & (1 << 26));
        assertEquals(1 << 28, t.get(0).ecx() & (1 << 28));
        assertEquals(0, t.get(1).edx() & (1 << 29));
        assertEquals(ALL_ON.get(2), t.get(2), "untouched leaves stay as KVM gave them");
    }

    @Test
    void theLastChangeOfAFeatureWins() {
        List<CpuidEntry> t = CpuModel.parse("host,-avx,+avx").apply(ALL_ON);
        assertEquals(1 << 28, t.get(0).ecx() & (1 << 28));
    }

    @Test
    void hostAloneChangesNothing() {
        assertEquals(ALL_ON, CpuModel.HOST.apply(ALL_ON));
        assertEquals(ALL_ON, CpuModel.parse("host").apply(ALL_ON));
    }

    @Test
    void badInputSaysWhatWasWrongAndWhatIsAccepted() {
        assertEquals("Invalid -cpu host,+cx17: unknown feature 'cx17'; -cpu help lists the "
                + CpuModel.FEATURES.size() + " names jvmm knows",
                assertThrows(IllegalArgumentException.class, () -> CpuModel.parse("host,+cx17")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CpuModel.parse("qemu64")).getMessage()
                .startsWith("Invalid -cpu qemu64: the model must be 'host'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CpuModel.parse("host,avx"))
                .getMessage().contains("'avx' is not +feature, -feature, feature=on or feature=off"));
    }

    @Test
    void aFeatureKvmLacksCannotBeTurnedOn() {
        List<CpuidEntry> noAvx = List.of(new CpuidEntry(1, 0, 0, 0, 0, 0, 0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CpuModel.parse("host,+avx").apply(noAvx));
        assertEquals("Invalid -cpu host,+avx: KVM on this host does not support 'avx' (CPUID leaf 0x1); leave it out",
                e.getMessage());
    }

    @Test
    void helpListsEveryName() {
        String help = CpuModel.help();
        for (String name : CpuModel.FEATURES.keySet()) {
            assertTrue(help.contains(" " + name), name);
        }
        assertTrue(help.contains("host  what KVM supports on this host"));
    }
}
