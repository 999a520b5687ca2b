package io.jvmm.core.firmware;

import static io.jvmm.core.firmware.Le.ascii;
import static io.jvmm.core.firmware.Le.sum;
import static io.jvmm.core.firmware.Le.u16;
import static io.jvmm.core.firmware.Le.u32;
import static io.jvmm.core.firmware.Le.u8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.core.machine.SmpTopology;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** MpTable parsed back as an OS would, against the Intel MultiProcessor Specification 1.4 (chapter 4). */
class MpTableTest {
    private static final long BASE = 0xF0000;
    private static final int SIGNATURE = 0x00A20F12;
    private static final int FEATURES = 0x178BFBFF;

    private record Entry(int type, byte[] body) {
    }

    /** The configuration table found through the floating pointer, checked, with its entries. */
    private record Parsed(SmpTopology topology, MpTable mp, byte[] all, byte[] config, List<Entry> entries) {
        List<byte[]> of(int type) {
            return entries.stream().filter(e -> e.type() == type).map(Entry::body).toList();
        }
    }

    private static Parsed build(String smp) throws Exception {
        SmpTopology t = SmpTopology.parse(smp);
        MpTable mp = new MpTable(t, SIGNATURE, FEATURES);
        byte[] all = mp.build(BASE);
        // floating pointer structure
        assertEquals("_MP_", ascii(all, 0, 4));
        assertEquals(1, u8(all, 8), "length in 16-byte paragraphs");
        assertEquals(0, sum(all, 0, 16), "floating pointer checksum");
        long pointer = u32(all, 4);
        int off = (int) (pointer - BASE);
        assertTrue(off >= 16 && off < all.length, "configuration table pointer 0x" + Long.toHexString(pointer));
        // configuration table
        assertEquals("PCMP", ascii(all, off, 4));
        int length = u16(all, off + 4);
        assertTrue(off + length <= all.length);
        assertEquals(0, sum(all, off, length), "configuration table checksum");
        byte[] config = Arrays.copyOfRange(all, off, off + length);
        List<Entry> entries = new ArrayList<>();
        int at = 44;
        while (at < length) {
            int type = u8(config, at);
            int size = type == 0 ? 20 : 8;
            assertTrue(type <= 4, "unknown entry type " + type + " at " + at);
            assertTrue(at + size <= length, "entry at " + at + " runs past the table");
            entries.add(new Entry(type, Arrays.copyOfRange(config, at, at + size)));
            at += size;
        }
        assertEquals(length, at, "entries fill the base table exactly");
        return new Parsed(t, mp, all, config, entries);
    }

    @Test
    void floatingPointerFields() throws Exception {
        Parsed p = build("8,sockets=2,cores=2,threads=2");
        byte[] b = p.all();
        assertEquals(BASE + 16, u32(b, 4), "the configuration table follows the pointer");
        assertEquals(4, u8(b, 9), "spec revision 1.4");
        for (int i = 11; i < 16; i++) {
            assertEquals(0, u8(b, i), "feature byte " + (i - 10) + " (0: a configuration table is present)");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "8,sockets=2,cores=2,threads=2", "4,maxcpus=6,sockets=1,cores=3,threads=2",
        "12,sockets=2,cores=3,threads=2"})
    void headerCountsTheEntriesAndTheyAreSortedByType(String smp) throws Exception {
        Parsed p = build(smp);
        byte[] c = p.config();
        assertEquals(4, u8(c, 6), "spec revision 1.4");
        assertEquals(p.entries().size(), u16(c, 34), "entry count");
        assertEquals(p.topology().cpus() + 1 + 1 + 16 + 2, p.entries().size());
        assertEquals(0xFEE00000L, u32(c, 36), "local APIC address");
        assertEquals(0, u32(c, 28), "no OEM table");
        assertEquals(0, u16(c, 40), "no extended entries");
        assertEquals(16 + c.length, p.all().length);
        int prev = 0;
        for (Entry e : p.entries()) {
            assertTrue(e.type() >= prev, "entries sorted by type");
            prev = e.type();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "8,sockets=2,cores=2,threads=2", "4,maxcpus=6,sockets=1,cores=3,threads=2",
        "12,sockets=2,cores=3,threads=2"})
    void oneProcessorEntryPerPresentCpu(String smp) throws Exception {
        Parsed p = build(smp);
        SmpTopology t = p.topology();
        List<byte[]> cpus = p.of(0);
        assertEquals(t.cpus(), cpus.size(), "present CPUs only");
        Set<Integer> ids = new HashSet<>();
        for (int i = 0; i < cpus.size(); i++) {
            byte[] e = cpus.get(i);
            assertEquals(t.apicId(i), u8(e, 1), "APIC ID of CPU " + i);
            assertTrue(ids.add(u8(e, 1)));
            assertTrue(u8(e, 2) >= 0x10, "integrated APIC version");
            assertEquals(i == 0 ? 3 : 1, u8(e, 3), "CPU flags (EN, and BP for CPU 0 only) of CPU " + i);
            assertEquals(SIGNATURE, (int) u32(e, 4));
            assertEquals(FEATURES, (int) u32(e, 8));
            assertEquals(0, u32(e, 12) | u32(e, 16), "reserved");
        }
    }

    @Test
    void cpusWithGapsInTheirApicIds() throws Exception {
        Parsed p = build("12,sockets=2,cores=3,threads=2");
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 8, 9, 10, 11, 12, 13), p.of(0).stream().map(e -> u8(e, 1)).toList());
    }

    @Test
    void onlyTheBootCpuHasTheBpFlag() throws Exception {
        Parsed p = build("8,sockets=2,cores=2,threads=2");
        assertEquals(1, p.of(0).stream().filter(e -> (u8(e, 3) & 2) != 0).count());
        assertEquals(2, u8(p.of(0).get(0), 3) & 2);
        assertTrue(p.of(0).stream().allMatch(e -> (u8(e, 3) & 1) == 1), "every listed CPU is enabled");
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "8,sockets=2,cores=2,threads=2", "4,maxcpus=6,sockets=1,cores=3,threads=2"})
    void isaBusAndIoapic(String smp) throws Exception {
        Parsed p = build(smp);
        List<byte[]> buses = p.of(1);
        assertEquals(1, buses.size());
        assertEquals(0, u8(buses.get(0), 1), "bus ID");
        assertEquals("ISA   ", ascii(buses.get(0), 2, 6));
        List<byte[]> ioapics = p.of(2);
        assertEquals(1, ioapics.size());
        byte[] io = ioapics.get(0);
        assertEquals(p.mp().ioapicId(), u8(io, 1));
        assertEquals(0x11, u8(io, 2), "IOAPIC version");
        assertEquals(1, u8(io, 3), "enabled");
        assertEquals(0xFEC00000L, u32(io, 4));
    }

    @Test
    void ioapicIdIsZeroLikeTheMadtAndTheIoapicRegister() throws Exception {
        for (String smp : new String[] {"1", "8,sockets=2,cores=2,threads=2", "12,sockets=2,cores=3,threads=2"}) {
            assertEquals(0, new MpTable(SmpTopology.parse(smp), 0, 0).ioapicId(), smp);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "8,sockets=2,cores=2,threads=2", "4,maxcpus=6,sockets=1,cores=3,threads=2"})
    void isaInterruptsAreRoutedToTheIoapic(String smp) throws Exception {
        Parsed p = build(smp);
        int ioapic = p.mp().ioapicId();
        List<byte[]> ints = p.of(3);
        assertEquals(16, ints.size());
        int[] pinOfIrq = new int[16];
        Arrays.fill(pinOfIrq, -1);
        int extInts = 0;
        for (byte[] e : ints) {
            assertEquals(0, u8(e, 4), "source bus: ISA");
            assertEquals(ioapic, u8(e, 6), "destination IOAPIC ID");
            assertEquals(0, u16(e, 2), "flags: conform to the ISA bus");
            int kind = u8(e, 1);
            if (kind == 3) {
                extInts++;
                assertEquals(0, u8(e, 7), "ExtINT on INTIN0");
            } else {
                assertEquals(0, kind, "vectored interrupt");
                int irq = u8(e, 5);
                assertEquals(-1, pinOfIrq[irq], "IRQ " + irq + " listed twice");
                pinOfIrq[irq] = u8(e, 7);
            }
        }
        assertEquals(1, extInts);
        assertEquals(2, pinOfIrq[0], "IRQ 0 (the PIT) on INTIN2");
        assertEquals(-1, pinOfIrq[2], "no entry for IRQ 2, the cascade");
        for (int irq = 1; irq < 16; irq++) {
            if (irq != 2) {
                assertEquals(irq, pinOfIrq[irq], "IRQ " + irq + " on its own pin");
            }
        }
        // INTIN0 carries only the ExtINT, INTIN2 only IRQ 0
        assertFalse(Arrays.stream(pinOfIrq).anyMatch(pin -> pin == 0));
    }

    @Test
    void localInterruptsLint0ExtIntAndLint1Nmi() throws Exception {
        Parsed p = build("8,sockets=2,cores=2,threads=2");
        List<byte[]> locals = p.of(4);
        assertEquals(2, locals.size());
        byte[] lint0 = locals.stream().filter(e -> u8(e, 7) == 0).findFirst().orElseThrow();
        assertEquals(3, u8(lint0, 1), "LINT0: ExtINT");
        assertEquals(0xff, u8(lint0, 6), "all local APICs");
        byte[] lint1 = locals.stream().filter(e -> u8(e, 7) == 1).findFirst().orElseThrow();
        assertEquals(1, u8(lint1, 1), "LINT1: NMI");
        assertEquals(0xff, u8(lint1, 6), "all local APICs");
    }

    @Test
    void pointerFollowsTheBase() throws Exception {
        SmpTopology t = SmpTopology.parse("2");
        byte[] a = new MpTable(t, 0, 0).build(0xF0000);
        byte[] b = new MpTable(t, 0, 0).build(0xF1230);
        assertEquals(0xF0010, u32(a, 4));
        assertEquals(0xF1240, u32(b, 4));
        assertEquals(0, sum(b, 0, 16));
    }
}
