package io.jvmm.core.devices;

import io.jvmm.core.memory.MemoryLayout;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;

/**
 * The PC's real-time clock and CMOS RAM, an MC146818, at ports 0x70 (index, with bit 7 the NMI
 * mask) and 0x71 (data). The time of day is not counted here but derived on every read from a
 * {@link Clock} plus a whole-second offset the guest sets by writing the time registers, so the
 * clock needs no timer and never drifts from the host's. Reads give the clock's local time in its
 * zone (UTC for the product, as Linux guests expect).
 *
 * <p>Register A's update-in-progress bit is set in the last {@link #UIP_NANOS} of each second of
 * the clock, as the part raises it before its once-a-second update. Register C reports the
 * update-ended flag if a second boundary passed since it was last read; no interrupt is raised.
 * CMOS bytes other than the clock are plain storage, with the memory-size bytes of the BIOS
 * convention filled in from the RAM size. Accesses use the low byte only. Guarded by the Big Lock.
 */
public final class CmosRtc implements BusDevice {
    /** The index port; the data port follows it. */
    public static final int PORT = 0x70;
    /** The width of the device's range. */
    public static final int SIZE = 2;
    /** Bytes of CMOS RAM, clock registers included. */
    public static final int RAM_SIZE = 128;
    /** Index-port bit 7: masks NMI on a PC. */
    public static final int NMI_DISABLE = 0x80;

    /** Time registers, as the MC146818 numbers them. */
    public static final int SECONDS = 0x00;
    /** Seconds alarm: stored only, as no alarm interrupt is raised. */
    public static final int ALARM_SECONDS = 0x01;
    /** Minutes. */
    public static final int MINUTES = 0x02;
    /** Minutes alarm. */
    public static final int ALARM_MINUTES = 0x03;
    /** Hours; bit 7 is PM in 12-hour mode. */
    public static final int HOURS = 0x04;
    /** Hours alarm. */
    public static final int ALARM_HOURS = 0x05;
    /** Day of week, 1 = Sunday. */
    public static final int DAY_OF_WEEK = 0x06;
    /** Day of month. */
    public static final int DAY_OF_MONTH = 0x07;
    /** Month, 1 = January. */
    public static final int MONTH = 0x08;
    /** Year within the century. */
    public static final int YEAR = 0x09;
    /** Century, at the place the PC BIOS convention (and the ACPI FADT's CENTURY field) gives it. */
    public static final int CENTURY = 0x32;
    /** Register A: divider and rate bits, and UIP. */
    public static final int REG_A = 0x0a;
    /** Register B: mode and interrupt-enable bits. */
    public static final int REG_B = 0x0b;
    /** Register C: flags, cleared by reading. */
    public static final int REG_C = 0x0c;
    /** Register D: valid RAM and time. */
    public static final int REG_D = 0x0d;

    /** Register A bit 7: an update is about to happen, the time registers are about to change. */
    public static final int A_UIP = 0x80;
    /** Register B bit 7: updates stopped, the time registers hold what the guest writes. */
    public static final int B_SET = 0x80;
    /** Register B bit 4: update-ended interrupt enable. */
    public static final int B_UIE = 0x10;
    /** Register B bit 2: binary (1) or BCD (0) time registers. */
    public static final int B_DM = 0x04;
    /** Register B bit 1: 24-hour (1) or 12-hour (0) mode. */
    public static final int B_24H = 0x02;
    /** Register C bit 7: an enabled flag is set. */
    public static final int C_IRQF = 0x80;
    /** Register C bit 4: an update ended. */
    public static final int C_UF = 0x10;
    /** Register D bit 7: valid RAM and time; the battery is never flat here. */
    public static final int D_VRT = 0x80;

    /** How long before each second boundary UIP reads 1: eight periods of the 32.768 kHz time base. */
    public static final long UIP_NANOS = 244_141;

    /** Register A as PC firmware leaves it: 32.768 kHz time base running, 1024 Hz periodic rate. */
    static final int DEFAULT_A = 0x26;
    /** Register B as PC firmware leaves it: BCD, 24-hour, no interrupts. */
    static final int DEFAULT_B = B_24H;
    /** Register A's divider bits (DV2-0) when the time base runs: 010. */
    private static final int DIVIDER_MASK = 0x70;
    private static final int DIVIDER_RUNNING = 0x20;
    /** Register B's PIE, AIE, UIE and SQWE: what the part's RESET input clears. */
    private static final int B_CLEARED_BY_RESET = 0x78;
    /**
     * Where RAM below 4 GiB ends; RAM beyond this is taken to continue from 4 GiB up, past the
     * PCI hole, as on QEMU's PC machines, which is the layout the above-4 GiB bytes describe.
     */
    static final long LOW_RAM_LIMIT = MemoryLayout.MAX_RAM;

    private static final int[] TIME_REGISTERS = {SECONDS, MINUTES, HOURS, DAY_OF_WEEK, DAY_OF_MONTH, MONTH, YEAR, CENTURY};
    private static final long KIB = 1024;
    private static final long MIB = 1024 * KIB;

    private final Clock clock;
    private final byte[] ram = new byte[RAM_SIZE];
    private int index;
    private boolean nmiDisabled;
    /** The guest's time minus the clock's, in whole seconds so UIP stays on the clock's second boundaries. */
    private long offsetSeconds;
    /** The guest's day of week minus the date's, mod 7: the part counts the weekday on its own. */
    private int dayOfWeekDelta;
    /** The clock's second when register C was last read or reset, for the update-ended flag. */
    private long flagsSecond;

    /**
     * A clock running on {@code clock}, with the memory-size bytes describing {@code ramSize} bytes
     * of guest RAM.
     */
    public CmosRtc(Clock clock, long ramSize) {
        if (ramSize <= 0) {
            throw new IllegalArgumentException("RAM size must be positive: " + ramSize);
        }
        this.clock = clock;
        ram[REG_A] = DEFAULT_A;
        ram[REG_B] = DEFAULT_B;
        writeMemorySize(ramSize);
        Instant now = clock.instant();
        flagsSecond = now.getEpochSecond();
        latchTime(now);
    }

    @Override
    public long read(long offset, int size, int cpu) {
        if (offset == 0) {
            return 0xff; // the index port is write-only on PC chipsets
        }
        return readRegister(index);
    }

    @Override
    public void write(long offset, int size, long value, int cpu) {
        int b = (int) value & 0xff;
        if (offset == 0) {
            index = b & (RAM_SIZE - 1);
            nmiDisabled = (b & NMI_DISABLE) != 0;
        } else {
            writeRegister(index, b);
        }
    }

    /** Keeps the time and RAM; clears the index, register C, and register B's interrupt enables as the part's RESET input does. */
    @Override
    public void reset() {
        index = 0;
        nmiDisabled = false;
        ram[REG_B] &= ~B_CLEARED_BY_RESET;
        flagsSecond = clock.instant().getEpochSecond();
    }

    /** Whether the guest's last index write had the NMI-disable bit set. */
    public boolean nmiDisabled() {
        return nmiDisabled;
    }

    private int readRegister(int r) {
        Instant now = clock.instant();
        switch (r) {
            case REG_A:
                return (ram[REG_A] & 0x7f) | (updateInProgress(now) ? A_UIP : 0);
            case REG_C:
                return readFlags(now);
            case REG_D:
                return D_VRT;
            default:
                if (isTimeRegister(r) && !setMode()) {
                    latchTime(now);
                }
                return ram[r] & 0xff;
        }
    }

    private void writeRegister(int r, int b) {
        Instant now = clock.instant();
        switch (r) {
            case REG_A -> ram[REG_A] = (byte) (b & 0x7f);
            case REG_B -> writeRegisterB(b, now);
            case REG_C, REG_D -> { } // read-only
            default -> {
                if (isTimeRegister(r) && !setMode()) {
                    // A write while the clock runs changes that field and the clock runs on from there.
                    latchTime(now);
                    ram[r] = (byte) b;
                    adoptGuestTime(now);
                } else {
                    ram[r] = (byte) b;
                }
            }
        }
    }

    private void writeRegisterB(int b, Instant now) {
        boolean wasSet = setMode();
        // The datasheet has SET clear UIE: no update-ended interrupts while updates are stopped.
        ram[REG_B] = (byte) ((b & B_SET) != 0 ? b & ~B_UIE : b);
        if (!wasSet && setMode()) {
            latchTime(now); // in the new mode, so the guest reads back its own format while setting
        } else if (wasSet && !setMode()) {
            adoptGuestTime(now);
        }
    }

    private int readFlags(Instant now) {
        long second = now.getEpochSecond();
        int flags = 0;
        if (updatesRunning() && second > flagsSecond) {
            flags = C_UF | ((ram[REG_B] & B_UIE) != 0 ? C_IRQF : 0);
        }
        flagsSecond = second;
        return flags;
    }

    private boolean updateInProgress(Instant now) {
        return updatesRunning() && now.getNano() >= 1_000_000_000L - UIP_NANOS;
    }

    private boolean updatesRunning() {
        return !setMode() && (ram[REG_A] & DIVIDER_MASK) == DIVIDER_RUNNING;
    }

    private boolean setMode() {
        return (ram[REG_B] & B_SET) != 0;
    }

    private boolean binary() {
        return (ram[REG_B] & B_DM) != 0;
    }

    private boolean hours24() {
        return (ram[REG_B] & B_24H) != 0;
    }

    private static boolean isTimeRegister(int r) {
        for (int t : TIME_REGISTERS) {
            if (t == r) {
                return true;
            }
        }
        return false;
    }

    /** Stores the guest's time at {@code now} in the time registers, in the current mode. */
    private void latchTime(Instant now) {
        LocalDateTime t = LocalDateTime.ofInstant(now.plusSeconds(offsetSeconds), clock.getZone());
        ram[SECONDS] = (byte) encode(t.getSecond());
        ram[MINUTES] = (byte) encode(t.getMinute());
        ram[HOURS] = (byte) encodeHour(t.getHour());
        ram[DAY_OF_WEEK] = (byte) encode(Math.floorMod(weekday(t) - 1 + dayOfWeekDelta, 7) + 1);
        ram[DAY_OF_MONTH] = (byte) encode(t.getDayOfMonth());
        ram[MONTH] = (byte) encode(t.getMonthValue());
        ram[YEAR] = (byte) encode(t.getYear() % 100);
        ram[CENTURY] = (byte) encode(t.getYear() / 100);
    }

    /**
     * Makes the time registers' contents the guest's time from {@code now} on. A date that does not
     * exist leaves the clock as it was: better a running clock than one the guest cannot read back.
     */
    private void adoptGuestTime(Instant now) {
        LocalDateTime t;
        try {
            t = LocalDateTime.of(decode(ram[CENTURY]) * 100 + decode(ram[YEAR]), decode(ram[MONTH]),
                    decode(ram[DAY_OF_MONTH]), decodeHour(ram[HOURS] & 0xff), decode(ram[MINUTES]), decode(ram[SECONDS]));
        } catch (DateTimeException e) {
            return;
        }
        offsetSeconds = t.atZone(clock.getZone()).toEpochSecond() - now.getEpochSecond();
        dayOfWeekDelta = Math.floorMod(decode(ram[DAY_OF_WEEK]) - weekday(t), 7);
    }

    /** The MC146818's day of week, 1 = Sunday to 7 = Saturday. */
    private static int weekday(LocalDateTime t) {
        return t.getDayOfWeek().getValue() % 7 + 1;
    }

    private int encode(int v) {
        return binary() ? v : (v / 10) << 4 | v % 10;
    }

    private int decode(byte b) {
        int v = b & 0xff;
        return binary() ? v : (v >> 4) * 10 + (v & 0xf);
    }

    private int encodeHour(int h) {
        if (hours24()) {
            return encode(h);
        }
        int h12 = h % 12 == 0 ? 12 : h % 12;
        return encode(h12) | (h >= 12 ? 0x80 : 0);
    }

    private int decodeHour(int b) {
        if (hours24()) {
            return decode((byte) b);
        }
        return decode((byte) (b & 0x7f)) % 12 + ((b & 0x80) != 0 ? 12 : 0);
    }

    /** The BIOS convention's memory-size bytes, which firmware and old loaders read instead of E820. */
    private void writeMemorySize(long ramSize) {
        long low = Math.min(ramSize, LOW_RAM_LIMIT);
        long high = ramSize - low;
        writeWord(0x15, Math.min(low / KIB, 640)); // base memory, KiB
        long extended = Math.min(Math.max(low - MIB, 0) / KIB, 0xffff); // KiB above 1 MiB
        writeWord(0x17, extended);
        writeWord(0x30, extended);
        writeWord(0x34, Math.min(Math.max(low - 16 * MIB, 0) / (64 * KIB), 0xffff)); // 64 KiB units above 16 MiB
        long above4g = Math.min(high / (64 * KIB), 0xffffff); // 64 KiB units above 4 GiB, three bytes
        writeWord(0x5b, above4g & 0xffff);
        ram[0x5d] = (byte) (above4g >> 16);
    }

    private void writeWord(int at, long v) {
        ram[at] = (byte) v;
        ram[at + 1] = (byte) (v >> 8);
    }
}
