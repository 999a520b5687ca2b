package io.jvmm.core.devices;

import static io.jvmm.core.devices.CmosRtc.CENTURY;
import static io.jvmm.core.devices.CmosRtc.DAY_OF_MONTH;
import static io.jvmm.core.devices.CmosRtc.DAY_OF_WEEK;
import static io.jvmm.core.devices.CmosRtc.HOURS;
import static io.jvmm.core.devices.CmosRtc.MINUTES;
import static io.jvmm.core.devices.CmosRtc.MONTH;
import static io.jvmm.core.devices.CmosRtc.REG_A;
import static io.jvmm.core.devices.CmosRtc.REG_B;
import static io.jvmm.core.devices.CmosRtc.REG_C;
import static io.jvmm.core.devices.CmosRtc.REG_D;
import static io.jvmm.core.devices.CmosRtc.SECONDS;
import static io.jvmm.core.devices.CmosRtc.YEAR;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The MC146818 RTC and CMOS RAM at 0x70/0x71. */
class CmosRtcTest {
    private static final long MIB = 1L << 20;
    private static final long GIB = 1L << 30;

    /** A clock the test moves by hand. */
    static final class TestClock extends Clock {
        Instant now;

        TestClock(String instant) {
            now = Instant.parse(instant);
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    // Thursday, a leap day, half a second into 13:45:56.
    private final TestClock clock = new TestClock("2024-02-29T13:45:56.500Z");
    private final CmosRtc rtc = new CmosRtc(clock, 64 * MIB);

    private int reg(int r) {
        rtc.write(0, 1, r, 0);
        return (int) rtc.read(1, 1, 0);
    }

    private void set(int r, int v) {
        rtc.write(0, 1, r, 0);
        rtc.write(1, 1, v, 0);
    }

    @Test
    void defaultsAreBcdAnd24HourWithTheClocksTime() {
        assertEquals(0x02, reg(REG_B));
        assertEquals(0x56, reg(SECONDS));
        assertEquals(0x45, reg(MINUTES));
        assertEquals(0x13, reg(HOURS));
        assertEquals(5, reg(DAY_OF_WEEK)); // Sunday = 1
        assertEquals(0x29, reg(DAY_OF_MONTH));
        assertEquals(0x02, reg(MONTH));
        assertEquals(0x24, reg(YEAR));
        assertEquals(0x20, reg(CENTURY));
    }

    @Test
    void binaryModeGivesPlainNumbers() {
        set(REG_B, CmosRtc.B_DM | CmosRtc.B_24H);
        assertEquals(56, reg(SECONDS));
        assertEquals(45, reg(MINUTES));
        assertEquals(13, reg(HOURS));
        assertEquals(29, reg(DAY_OF_MONTH));
        assertEquals(24, reg(YEAR));
        assertEquals(20, reg(CENTURY));
    }

    @Test
    void twelveHourModeMarksPmInBit7() {
        set(REG_B, 0); // BCD, 12-hour
        assertEquals(0x81, reg(HOURS)); // 1 PM
        set(REG_B, CmosRtc.B_DM);
        assertEquals(0x80 | 1, reg(HOURS));
        assertEquals(0x12, hoursAt("2024-01-01T00:30:00Z", 0)); // midnight: 12 AM
        assertEquals(0x92, hoursAt("2024-01-01T12:30:00Z", 0)); // noon: 12 PM
        assertEquals(0x11, hoursAt("2024-01-01T11:59:59Z", 0));
        assertEquals(0x23, hoursAt("2024-01-01T23:00:00Z", CmosRtc.B_24H));
    }

    /** The hours register of a fresh RTC at {@code instant} with register B set to {@code regB}. */
    private static int hoursAt(String instant, int regB) {
        CmosRtc r = new CmosRtc(new TestClock(instant), 64 * MIB);
        set(r, REG_B, regB);
        return reg(r, HOURS);
    }

    @Test
    void uipIsSetOnlyInTheLast244MicrosecondsOfEachSecond() {
        clock.now = Instant.parse("2024-02-29T13:45:56.999700Z");
        assertEquals(0x26, reg(REG_A));
        clock.now = Instant.parse("2024-02-29T13:45:56.999760Z");
        assertEquals(0x26 | CmosRtc.A_UIP, reg(REG_A));
        assertEquals(0x56, reg(SECONDS), "the update has not happened yet");
        clock.now = Instant.parse("2024-02-29T13:45:57Z");
        assertEquals(0x26, reg(REG_A));
        assertEquals(0x57, reg(SECONDS));
    }

    @Test
    void uipStaysClearWhileSetOrWithTheDividerStopped() {
        clock.now = Instant.parse("2024-02-29T13:45:56.999900Z");
        set(REG_B, CmosRtc.B_SET | CmosRtc.B_24H);
        assertEquals(0x26, reg(REG_A));
        set(REG_B, CmosRtc.B_24H);
        set(REG_A, 0x70 | 0x06); // divider chain held in reset
        assertEquals(0x76, reg(REG_A));
    }

    @Test
    void readingTheTimeMatchesTheHostClockWithinTheSameSecond() {
        Clock host = Clock.systemUTC();
        CmosRtc live = new CmosRtc(host, 64 * MIB);
        set(live, REG_B, CmosRtc.B_DM | CmosRtc.B_24H);
        for (int attempt = 0; attempt < 5; attempt++) {
            LocalDateTime before = LocalDateTime.now(host).withNano(0);
            int[] t = {reg(live, CENTURY), reg(live, YEAR), reg(live, MONTH), reg(live, DAY_OF_MONTH),
                reg(live, HOURS), reg(live, MINUTES), reg(live, SECONDS)};
            LocalDateTime after = LocalDateTime.now(host).withNano(0);
            if (before.equals(after)) { // else a second boundary fell between the reads: try again
                assertEquals(before, LocalDateTime.of(t[0] * 100 + t[1], t[2], t[3], t[4], t[5], t[6]));
                return;
            }
        }
        throw new AssertionError("five second boundaries in a row between two clock reads");
    }

    private static int reg(CmosRtc r, int index) {
        r.write(0, 1, index, 0);
        return (int) r.read(1, 1, 0);
    }

    private static void set(CmosRtc r, int index, int v) {
        r.write(0, 1, index, 0);
        r.write(1, 1, v, 0);
    }

    @Test
    void timeWrittenUnderSetHoldsThenRunsFromWhereTheGuestSetIt() {
        set(REG_B, CmosRtc.B_SET | CmosRtc.B_24H);
        set(CENTURY, 0x19);
        set(YEAR, 0x99);
        set(MONTH, 0x12);
        set(DAY_OF_MONTH, 0x31);
        set(DAY_OF_WEEK, 6); // Friday, 31 December 1999
        set(HOURS, 0x23);
        set(MINUTES, 0x59);
        set(SECONDS, 0x58);
        clock.advance(Duration.ofSeconds(10));
        assertEquals(0x58, reg(SECONDS), "stopped while SET");
        assertEquals(0, reg(REG_C), "no update ends while SET");
        set(REG_B, CmosRtc.B_24H);
        clock.advance(Duration.ofSeconds(3));
        assertEquals(0x01, reg(SECONDS));
        assertEquals(0x00, reg(MINUTES));
        assertEquals(0x00, reg(HOURS));
        assertEquals(0x01, reg(DAY_OF_MONTH));
        assertEquals(0x01, reg(MONTH));
        assertEquals(0x00, reg(YEAR));
        assertEquals(0x20, reg(CENTURY));
        assertEquals(7, reg(DAY_OF_WEEK)); // Saturday
        clock.advance(Duration.ofHours(1));
        assertEquals(0x01, reg(HOURS), "keeps running from the guest's time");
    }

    @Test
    void theGuestsWeekdayRunsOnEvenIfItDisagreesWithTheDate() {
        set(REG_B, CmosRtc.B_SET | CmosRtc.B_24H);
        set(DAY_OF_WEEK, 1);
        set(REG_B, CmosRtc.B_24H);
        assertEquals(1, reg(DAY_OF_WEEK));
        clock.advance(Duration.ofDays(1));
        assertEquals(2, reg(DAY_OF_WEEK));
    }

    @Test
    void aTimeRegisterWrittenWhileRunningChangesOnlyThatField() {
        set(MINUTES, 0x10);
        assertEquals(0x10, reg(MINUTES));
        assertEquals(0x13, reg(HOURS));
        assertEquals(0x56, reg(SECONDS));
        clock.advance(Duration.ofSeconds(4));
        assertEquals(0x11, reg(MINUTES));
        assertEquals(0x00, reg(SECONDS));
    }

    @Test
    void anImpossibleDateLeavesTheClockAsItWas() {
        set(REG_B, CmosRtc.B_SET | CmosRtc.B_24H);
        set(MONTH, 0x13);
        set(REG_B, CmosRtc.B_24H);
        assertEquals(0x02, reg(MONTH));
        assertEquals(0x29, reg(DAY_OF_MONTH));
    }

    @Test
    void binarySetTimeUsesTheModeWrittenWithSet() {
        set(REG_B, CmosRtc.B_SET | CmosRtc.B_DM | CmosRtc.B_24H);
        assertEquals(56, reg(SECONDS), "latched in the new mode");
        set(HOURS, 7);
        set(REG_B, CmosRtc.B_DM | CmosRtc.B_24H);
        assertEquals(7, reg(HOURS));
        assertEquals(45, reg(MINUTES));
    }

    @Test
    void centuryFollowsTheYear() {
        CmosRtc r = new CmosRtc(new TestClock("2100-01-01T00:00:00Z"), 64 * MIB);
        assertEquals(0x21, reg(r, CENTURY));
        assertEquals(0x00, reg(r, YEAR));
        CmosRtc old = new CmosRtc(new TestClock("1999-12-31T23:59:59Z"), 64 * MIB);
        assertEquals(0x19, reg(old, CENTURY));
        assertEquals(0x99, reg(old, YEAR));
        set(old, REG_B, CmosRtc.B_DM | CmosRtc.B_24H);
        assertEquals(19, reg(old, CENTURY));
    }

    @Test
    void registerCReportsAnEndedUpdateOnceAndRegisterDValidTime() {
        assertEquals(0, reg(REG_C));
        clock.advance(Duration.ofSeconds(1));
        assertEquals(CmosRtc.C_UF, reg(REG_C));
        assertEquals(0, reg(REG_C), "reading clears");
        set(REG_B, CmosRtc.B_UIE | CmosRtc.B_24H);
        clock.advance(Duration.ofSeconds(2));
        assertEquals(CmosRtc.C_IRQF | CmosRtc.C_UF, reg(REG_C));
        set(REG_C, 0xff);
        set(REG_D, 0);
        assertEquals(CmosRtc.D_VRT, reg(REG_D));
    }

    @Test
    void setClearsUie() {
        set(REG_B, CmosRtc.B_SET | CmosRtc.B_UIE | CmosRtc.B_24H);
        assertEquals(CmosRtc.B_SET | CmosRtc.B_24H, reg(REG_B));
    }

    @Test
    void otherBytesArePlainStorageAndTheIndexPortKeepsTheNmiBit() {
        for (int i = 0x40; i < CmosRtc.RAM_SIZE; i++) {
            set(i, i ^ 0xa5);
        }
        set(0x0f, 0x0a); // shutdown status byte
        set(CmosRtc.ALARM_SECONDS, 0x30);
        for (int i = 0x40; i < CmosRtc.RAM_SIZE; i++) {
            assertEquals(i ^ 0xa5, reg(i));
        }
        assertEquals(0x0a, reg(0x0f));
        assertEquals(0x30, reg(CmosRtc.ALARM_SECONDS));
        rtc.write(0, 1, CmosRtc.NMI_DISABLE | 0x0f, 0);
        assertTrue(rtc.nmiDisabled());
        assertEquals(0x0a, rtc.read(1, 1, 0), "bit 7 does not select a register");
        assertEquals(0xff, rtc.read(0, 1, 0), "the index port is write-only");
        rtc.write(0, 1, 0x0f, 0);
        assertFalse(rtc.nmiDisabled());
    }

    @Test
    void resetKeepsTimeAndRamButClearsIndexAndFlags() {
        set(REG_B, CmosRtc.B_SET | CmosRtc.B_24H);
        set(HOURS, 0x08);
        set(REG_B, CmosRtc.B_UIE | CmosRtc.B_24H);
        set(0x50, 0x77);
        clock.advance(Duration.ofSeconds(1));
        rtc.write(0, 1, CmosRtc.NMI_DISABLE | 0x50, 0);
        rtc.reset();
        assertFalse(rtc.nmiDisabled());
        assertEquals(0x57, rtc.read(1, 1, 0), "index back to 0, the seconds");
        assertEquals(0, reg(REG_C));
        assertEquals(CmosRtc.B_24H, reg(REG_B), "interrupt enables cleared, modes kept");
        assertEquals(0x08, reg(HOURS));
        assertEquals(0x77, reg(0x50));
    }

    private static int word(CmosRtc r, int at) {
        return reg(r, at) | reg(r, at + 1) << 8;
    }

    private static int above4g(CmosRtc r) {
        return word(r, 0x5b) | reg(r, 0x5d) << 16;
    }

    @Test
    void memorySizeBytesFor64MiB() {
        CmosRtc r = new CmosRtc(clock, 64 * MIB);
        assertEquals(640, word(r, 0x15));
        assertEquals(63 * 1024, word(r, 0x17));
        assertEquals(63 * 1024, word(r, 0x30));
        assertEquals(48 * 16, word(r, 0x34));
        assertEquals(0, above4g(r));
    }

    @Test
    void memorySizeBytesFor512MiBCapExtendedMemory() {
        CmosRtc r = new CmosRtc(clock, 512 * MIB);
        assertEquals(640, word(r, 0x15));
        assertEquals(0xffff, word(r, 0x17));
        assertEquals(0xffff, word(r, 0x30));
        assertEquals(496 * 16, word(r, 0x34));
        assertEquals(0, above4g(r));
    }

    @Test
    void memorySizeBytesFor3GiB() {
        CmosRtc r = new CmosRtc(clock, 3 * GIB);
        assertEquals(0xffff, word(r, 0x17));
        assertEquals((3 * 1024 - 16) * 16, word(r, 0x34));
        assertEquals(0, above4g(r));
    }

    @Test
    void memorySizeBytesFor6GiBPutTheRestAbove4GiB() {
        CmosRtc r = new CmosRtc(clock, 6 * GIB);
        assertEquals(0xffff, word(r, 0x17));
        assertEquals((int) ((CmosRtc.LOW_RAM_LIMIT - 16 * MIB) >> 16), word(r, 0x34));
        assertEquals((int) ((6 * GIB - CmosRtc.LOW_RAM_LIMIT) >> 16), above4g(r));
        assertEquals(0xc000, above4g(r)); // with the 3 GiB limit: 3 GiB above 4 GiB
    }
}
