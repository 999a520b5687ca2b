package io.jvmm.core.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import org.junit.jupiter.api.Test;

/** AcpiPmTimer: a 32-bit up-counter at 3.579545 MHz derived from System.nanoTime(). */
class AcpiPmTimerTest {
    private static final double HZ = 3_579_545.0;

    private static long ticks(long nanos) {
        return (long) Math.floor(nanos * HZ / 1e9);
    }

    @Test
    void portAndWidth() {
        assertEquals(0x608, AcpiPmTimer.PORT);
        assertEquals(4, AcpiPmTimer.SIZE);
        assertEquals(3_579_545L, AcpiPmTimer.FREQUENCY_HZ);
    }

    @Test
    void needsNoBigLock() {
        assertTrue(new AcpiPmTimer().ownLocking());
    }

    @Test
    void countsUpMonotonically() {
        AcpiPmTimer t = new AcpiPmTimer();
        long prev = t.read(0, 4, 0);
        for (int i = 0; i < 100_000; i++) {
            long v = t.read(0, 4, 0);
            assertTrue(v >= prev, "went back from " + prev + " to " + v);
            prev = v;
        }
    }

    @Test
    void runsAt3Point58MHz() throws Exception {
        AcpiPmTimer t = new AcpiPmTimer();
        long before0 = System.nanoTime();
        long v0 = t.read(0, 4, 0);
        long after0 = System.nanoTime();
        Thread.sleep(200);
        long before1 = System.nanoTime();
        long v1 = t.read(0, 4, 0);
        long after1 = System.nanoTime();
        long delta = v1 - v0;
        // bracketed by what nanoTime saw around the two reads (one tick of rounding either way)
        assertTrue(delta >= ticks(before1 - after0) - 1, delta + " ticks is too few");
        assertTrue(delta <= ticks(after1 - before0) + 1, delta + " ticks is too many");
        // and, generously, about 3.58 MHz over the sleep
        double hz = delta / ((before1 + after1 - before0 - after0) / 2e9);
        assertTrue(hz > HZ * 0.9 && hz < HZ * 1.1, hz + " Hz");
    }

    @Test
    void narrowAndOffsetReadsSeeTheRightBytes() {
        AcpiPmTimer t = new AcpiPmTimer();
        assertTrue(t.read(0, 1, 0) <= 0xff);
        assertTrue(t.read(0, 2, 0) <= 0xffff);
        assertTrue(t.read(2, 2, 0) <= 0xffff);
    }

    @Test
    void wrapsAt32Bits() throws Exception {
        AcpiPmTimer t = new AcpiPmTimer();
        // pretend the machine has been up for 1300 s: 4.65e9 ticks, past 2^32
        long uptime = 1300L * 1_000_000_000L;
        Field origin = AcpiPmTimer.class.getDeclaredField("origin");
        origin.setAccessible(true);
        long start = System.nanoTime() - uptime;
        origin.setLong(t, start);
        long before = System.nanoTime();
        long v = t.read(0, 4, 0);
        long after = System.nanoTime();
        long lo = ticks(before - start) - 1;
        long hi = ticks(after - start) + 1;
        assertTrue(lo > 0xffffffffL, "the test must run the counter past 32 bits");
        assertTrue(v >= 0 && v <= 0xffffffffL, "a 32-bit value: " + v);
        long sinceLo = (v - lo) & 0xffffffffL;
        assertTrue(sinceLo <= hi - lo, "v=" + v + " is not the counter (" + lo + ".." + hi + ") modulo 2^32");

        // the upper half read at offset 2 matches the dword's upper half (or has just moved on by one)
        long dword = t.read(0, 4, 0);
        long high = t.read(2, 2, 0);
        assertTrue(high == dword >>> 16 || high == ((dword >>> 16) + 1 & 0xffff), dword + " vs " + high);
    }

    @Test
    void writesAreIgnored() {
        AcpiPmTimer t = new AcpiPmTimer();
        long v = t.read(0, 4, 0);
        t.write(0, 4, 0, 0);
        assertTrue(t.read(0, 4, 0) >= v);
    }
}
