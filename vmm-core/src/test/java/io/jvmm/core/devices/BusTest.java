package io.jvmm.core.devices;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Bus: range bookkeeping, dispatch with device-relative offsets, PC manners for unclaimed accesses, reset. */
class BusTest {

    /** Records accesses; reads answer {@code 0x1000 + offset}. */
    static final class Recorder implements BusDevice {
        final List<String> log = new ArrayList<>();
        int resets;

        @Override
        public long read(long offset, int size, int cpu) {
            log.add("r " + offset + " " + size + " " + cpu);
            return 0x1000 + offset;
        }

        @Override
        public void write(long offset, int size, long value, int cpu) {
            log.add("w " + offset + " " + size + " " + Long.toHexString(value) + " " + cpu);
        }

        @Override
        public void reset() {
            resets++;
        }
    }

    @Test
    void findHitsBothEdgesOfARangeAndNothingOutside() {
        Bus bus = new Bus("pio");
        Recorder com1 = new Recorder();
        bus.add(0x3f8, 8, "com1", com1);
        bus.add(0x80, 1, "post", new Recorder());
        assertSame(com1, bus.find(0x3f8).device());
        assertSame(com1, bus.find(0x3ff).device());
        assertEquals("com1", bus.find(0x3fc).name());
        assertNull(bus.find(0x3f7));
        assertNull(bus.find(0x400));
        assertEquals("post", bus.find(0x80).name());
        assertNull(bus.find(0x7f));
        assertNull(bus.find(0x81));
        assertNull(bus.find(0));
        assertNull(bus.find(-1));
        assertNull(bus.find(Long.MAX_VALUE));
    }

    @Test
    void findWorksWithManyRangesAddedInAnyOrder() {
        Bus bus = new Bus("mmio");
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(42));
        for (int i : order) {
            bus.add(0x1000L * i, 0x100 + i, "d" + i, new Recorder()); // gaps between ranges
        }
        for (int i = 0; i < 40; i++) {
            long base = 0x1000L * i;
            assertEquals("d" + i, bus.find(base).name());
            assertEquals("d" + i, bus.find(base + 0xff + i).name());
            assertNull(bus.find(base + 0x100 + i), "just past d" + i);
            if (i > 0) {
                assertNull(bus.find(base - 1), "just before d" + i);
            }
        }
        Bus.Range[] ranges = bus.ranges();
        for (int i = 1; i < ranges.length; i++) {
            assertTrue(ranges[i - 1].base() < ranges[i].base(), "ranges in address order");
        }
    }

    @Test
    void overlappingRangesAreRejected() {
        Bus bus = new Bus("pio");
        bus.add(0x3f8, 8, "com1", new Recorder());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> bus.add(0x3fc, 8, "other", new Recorder()));
        assertEquals("pio range 0x3fc+8 for other overlaps com1 at 0x3f8+8", e.getMessage());
        // inside, around, and sharing only the last or the first byte
        assertThrows(IllegalArgumentException.class, () -> bus.add(0x3f9, 1, "in", new Recorder()));
        assertThrows(IllegalArgumentException.class, () -> bus.add(0x3f0, 0x20, "around", new Recorder()));
        assertThrows(IllegalArgumentException.class, () -> bus.add(0x3ff, 1, "last", new Recorder()));
        assertThrows(IllegalArgumentException.class, () -> bus.add(0x3f0, 9, "first", new Recorder()));
        assertEquals(1, bus.ranges().length, "a rejected range is not added");
    }

    @Test
    void adjacentRangesAreFine() {
        Bus bus = new Bus("pio");
        bus.add(0x3f8, 8, "com1", new Recorder());
        bus.add(0x3f0, 8, "below", new Recorder());
        bus.add(0x400, 1, "above", new Recorder());
        assertEquals("below", bus.find(0x3f7).name());
        assertEquals("com1", bus.find(0x3f8).name());
        assertEquals("above", bus.find(0x400).name());
    }

    @Test
    void emptyRangesAreRejected() {
        Bus bus = new Bus("pio");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> bus.add(0x10, 0, "nothing", new Recorder()));
        assertEquals("Empty range for nothing", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> bus.add(0x10, -4, "negative", new Recorder()));
        assertEquals(0, bus.ranges().length);
    }

    @Test
    void accessesReachTheDeviceWithOffsetsFromItsBase() {
        Bus bus = new Bus("pio");
        Recorder d = new Recorder();
        bus.add(0x510, 2, "fw_cfg", d);
        assertEquals(0x1001, bus.read(0x511, 1, 3));
        bus.write(0x510, 2, 0x19, 1);
        assertEquals(List.of("r 1 1 3", "w 0 2 19 1"), d.log);
        assertEquals(0, bus.unclaimedReads());
        assertEquals(0, bus.unclaimedWrites());
    }

    @Test
    void unclaimedReadsReturnAllOnesOfTheAccessSizeAndAreCounted() {
        Bus bus = new Bus("pio");
        Recorder d = new Recorder();
        bus.add(0x80, 1, "post", d);
        assertEquals(0xffL, bus.read(0x81, 1, 0));
        assertEquals(0xffffL, bus.read(0x81, 2, 0));
        assertEquals(0xffffffffL, bus.read(0x81, 4, 0));
        assertEquals(-1L, bus.read(0x81, 8, 0));
        assertEquals(4, bus.unclaimedReads());
        assertEquals(0, bus.unclaimedWrites());
        assertTrue(d.log.isEmpty());
    }

    @Test
    void unclaimedWritesAreDroppedAndCounted() {
        Bus bus = new Bus("mmio");
        Recorder d = new Recorder();
        bus.add(0x1000, 0x10, "dev", d);
        bus.write(0x1010, 4, 1, 0);
        bus.write(0xfff, 1, 1, 0);
        assertEquals(2, bus.unclaimedWrites());
        assertEquals(0, bus.unclaimedReads());
        assertTrue(d.log.isEmpty());
    }

    @Test
    void resetDevicesResetsEachDeviceOnceEvenWithTwoRanges() {
        Bus bus = new Bus("pio");
        Recorder twoRanges = new Recorder();
        Recorder other = new Recorder();
        bus.add(0x600, 6, "acpi-pm", twoRanges);
        bus.add(0x700, 4, "acpi-pm-2", twoRanges);
        bus.add(0x80, 1, "post", other);
        bus.resetDevices();
        assertEquals(1, twoRanges.resets);
        assertEquals(1, other.resets);
        bus.resetDevices();
        assertEquals(2, twoRanges.resets);
    }

    @Test
    void rangesIsACopy() {
        Bus bus = new Bus("pio");
        bus.add(0x80, 1, "post", new Recorder());
        Bus.Range[] r = bus.ranges();
        r[0] = null;
        assertEquals("post", bus.ranges()[0].name());
        assertArrayEquals(new String[] {"post"}, java.util.Arrays.stream(bus.ranges()).map(Bus.Range::name)
                .toArray(String[]::new));
        assertEquals("pio", bus.name());
    }
}
