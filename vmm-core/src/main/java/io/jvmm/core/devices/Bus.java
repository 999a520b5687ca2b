package io.jvmm.core.devices;

import java.util.Arrays;
import java.util.concurrent.atomic.LongAdder;

/**
 * An address bus (port I/O or MMIO): non-overlapping ranges, each owned by one device, and the
 * only place exits are dispatched. Accesses nobody claims follow PC-bus manners: a read returns
 * all ones, a write is dropped; both are counted, neither is fatal.
 *
 * <p>Ranges are added while the machine is being built and never change afterwards; lookups need
 * no lock.
 */
public final class Bus {
    /** A device's range: [base, base + length). */
    public record Range(long base, long length, String name, BusDevice device) {
        boolean contains(long address) {
            return address >= base && address - base < length;
        }
    }

    private final String name;
    private volatile Range[] ranges = new Range[0];
    private final LongAdder unclaimedReads = new LongAdder();
    private final LongAdder unclaimedWrites = new LongAdder();

    /** An empty bus called {@code name} ("pio" or "mmio"). */
    public Bus(String name) {
        this.name = name;
    }

    /** The bus's name. */
    public String name() {
        return name;
    }

    /**
     * Gives [base, base + length) to {@code device}.
     *
     * @throws IllegalArgumentException if the range overlaps one already taken
     */
    public synchronized void add(long base, long length, String deviceName, BusDevice device) {
        if (length <= 0) {
            throw new IllegalArgumentException("Empty range for " + deviceName);
        }
        for (Range r : ranges) {
            if (base < r.base + r.length && r.base < base + length) {
                throw new IllegalArgumentException(String.format("%s range 0x%x+%d for %s overlaps %s at 0x%x+%d",
                        name, base, length, deviceName, r.name, r.base, r.length));
            }
        }
        Range[] next = Arrays.copyOf(ranges, ranges.length + 1);
        next[ranges.length] = new Range(base, length, deviceName, device);
        Arrays.sort(next, (a, b) -> Long.compare(a.base, b.base));
        ranges = next;
    }

    /** The range containing {@code address}, or null. */
    public Range find(long address) {
        Range[] rs = ranges;
        int lo = 0;
        int hi = rs.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            Range r = rs[mid];
            if (address < r.base) {
                hi = mid - 1;
            } else if (address - r.base >= r.length) {
                lo = mid + 1;
            } else {
                return r;
            }
        }
        return null;
    }

    /** Reads through the bus: the owning device's answer, or all ones if nobody claims {@code address}. */
    public long read(long address, int size, int cpu) {
        Range r = find(address);
        if (r == null) {
            unclaimedReads.increment();
            return size >= 8 ? -1L : (1L << (8 * size)) - 1;
        }
        return r.device.read(address - r.base, size, cpu);
    }

    /** Writes through the bus; dropped (and counted) if nobody claims {@code address}. */
    public void write(long address, int size, long value, int cpu) {
        Range r = find(address);
        if (r == null) {
            unclaimedWrites.increment();
            return;
        }
        r.device.write(address - r.base, size, value, cpu);
    }

    /** Reads nobody claimed. */
    public long unclaimedReads() {
        return unclaimedReads.sum();
    }

    /** Writes nobody claimed. */
    public long unclaimedWrites() {
        return unclaimedWrites.sum();
    }

    /** Resets every device once. Called with all vCPUs stopped. */
    public void resetDevices() {
        java.util.Set<BusDevice> done = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Range r : ranges) {
            if (done.add(r.device)) {
                r.device.reset();
            }
        }
    }

    /** The ranges, in address order. */
    public Range[] ranges() {
        return ranges.clone();
    }
}
