package io.jvmm.core.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.core.boot.E820Map.Entry;
import io.jvmm.core.boot.E820Map.Type;
import io.jvmm.core.memory.GuestMemory;
import io.jvmm.core.memory.MemoryLayout;
import java.util.List;
import org.junit.jupiter.api.Test;

/** E820Map: the ranges it derives from the RAM size, and both binary forms read back from real guest RAM. */
class E820MapTest {
    private static final long MIB = 1L << 20;

    @Test
    void mapOf64MiB() {
        assertEquals(List.of(
                new Entry(0, 0x9fc00, Type.USABLE),
                new Entry(0x9fc00, 0x60400, Type.RESERVED),
                new Entry(0x100000, 63 * MIB, Type.USABLE),
                new Entry(0xfec00000L, 0x1000, Type.RESERVED),
                new Entry(0xfee00000L, 0x1000, Type.RESERVED),
                new Entry(0xfffbc000L, 0x4000, Type.RESERVED)), E820Map.forRam(64 * MIB).entries());
    }

    @Test
    void rangesAreSortedDisjointAndCoverRamExactlyOnce() {
        for (long ram : new long[] {MemoryLayout.MIN_RAM, 64 * MIB, MemoryLayout.MAX_RAM}) {
            List<Entry> entries = E820Map.forRam(ram).entries();
            long usable = 0;
            for (int i = 0; i < entries.size(); i++) {
                if (i > 0) {
                    assertTrue(entries.get(i).addr() >= entries.get(i - 1).end(), "sorted and disjoint at " + i);
                }
                if (entries.get(i).type() == Type.USABLE) {
                    usable += entries.get(i).size();
                }
            }
            assertEquals(ram - (MemoryLayout.HIGH_RAM_START - MemoryLayout.LOW_RAM_END), usable);
            assertEquals(ram, entries.get(2).end(), "high RAM ends at the RAM size");
        }
    }

    @Test
    void firmwareAreaAndApicWindowsAreReserved() {
        E820Map map = E820Map.forRam(64 * MIB);
        for (long addr : new long[] {MemoryLayout.LOW_RAM_END, 0xa0000, MemoryLayout.FIRMWARE_START, 0xff000,
                MemoryLayout.IOAPIC_BASE, MemoryLayout.LAPIC_BASE, MemoryLayout.IDENTITY_MAP_ADDR,
                MemoryLayout.TSS_ADDR + 0x2fff}) {
            assertEquals(Type.RESERVED, typeAt(map, addr), "0x" + Long.toHexString(addr));
        }
    }

    @Test
    void typeCodesAreTheAcpiOnes() {
        assertEquals(1, Type.USABLE.code());
        assertEquals(2, Type.RESERVED.code());
        assertEquals(3, Type.ACPI.code());
    }

    @Test
    void ramOutsideTheSupportedRangeIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> E820Map.forRam(MIB));
        assertThrows(IllegalArgumentException.class, () -> E820Map.forRam(MemoryLayout.MAX_RAM + 4096));
    }

    @Test
    void bootParamsFormIsPacked20ByteEntries() {
        try (GuestMemory memory = GuestMemory.allocate(64 * MIB)) {
            memory.fill(0x5000, 0x1000, (byte) 0xee);
            E820Map map = E820Map.forRam(64 * MIB);
            map.writeBootParams(memory, 0x5000);
            for (int i = 0; i < map.size(); i++) {
                long at = 0x5000 + 20L * i;
                Entry e = map.entries().get(i);
                assertEquals(e.addr(), memory.readU64(at), "addr " + i);
                assertEquals(e.size(), memory.readU64(at + 8), "size " + i);
                assertEquals(e.type().code(), memory.readU32(at + 16), "type " + i);
            }
            assertEquals(0xee, memory.readU8(0x5000 + 20L * map.size()), "nothing written past the last entry");
        }
    }

    @Test
    void hvmFormIs24ByteEntriesWithZeroReserved() {
        try (GuestMemory memory = GuestMemory.allocate(64 * MIB)) {
            memory.fill(0x5000, 0x1000, (byte) 0xee);
            E820Map map = E820Map.forRam(64 * MIB);
            map.writeHvm(memory, 0x5000);
            for (int i = 0; i < map.size(); i++) {
                long at = 0x5000 + 24L * i;
                Entry e = map.entries().get(i);
                assertEquals(e.addr(), memory.readU64(at), "addr " + i);
                assertEquals(e.size(), memory.readU64(at + 8), "size " + i);
                assertEquals(e.type().code(), memory.readU32(at + 16), "type " + i);
                assertEquals(0, memory.readU32(at + 20), "reserved " + i);
            }
            assertEquals(0xee, memory.readU8(0x5000 + 24L * map.size()), "nothing written past the last entry");
        }
    }

    private static Type typeAt(E820Map map, long addr) {
        for (Entry e : map.entries()) {
            if (addr >= e.addr() && addr < e.end()) {
                return e.type();
            }
        }
        return null;
    }
}
