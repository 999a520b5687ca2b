package io.jvmm.core.lock;

import java.util.concurrent.atomic.LongAdder;

/**
 * A named place in the code that takes the Big Lock ("vcpu-exit", "monitor-pause", ...), with
 * its own counters, in the spirit of QEMU's sync-profile call sites. Sites are created once per
 * lock by {@link BigLock#site} and kept by the code that uses them, so taking the lock costs no
 * lookup.
 */
public final class LockSite {
    private final LockRole role;
    private final String name;
    private final LongAdder acquisitions = new LongAdder();
    private final LongAdder contended = new LongAdder();
    private final LongAdder waitNanos = new LongAdder();
    private final LongAdder holdNanos = new LongAdder();
    private volatile long maxWaitNanos;
    private volatile long maxHoldNanos;
    /** Filled in by the observer that records this site, if it keeps per-site handles. */
    volatile Object observerData;

    LockSite(LockRole role, String name) {
        this.role = role;
        this.name = name;
    }

    /** Who takes the lock here. */
    public LockRole role() {
        return role;
    }

    /** The site's name, unique per lock. */
    public String name() {
        return name;
    }

    /** Data an observer attached to this site (e.g. its timers); null until one does. */
    public Object observerData() {
        return observerData;
    }

    /** Attaches observer-specific data (called once, when the observer first sees the site). */
    public void attachObserverData(Object data) {
        this.observerData = data;
    }

    void recordAcquire(long wait, boolean wasContended) {
        acquisitions.increment();
        if (wasContended) {
            contended.increment();
            waitNanos.add(wait);
            if (wait > maxWaitNanos) {
                maxWaitNanos = wait; // racy max: good enough for a profile, never lower than a real value by much
            }
        }
    }

    void recordRelease(long hold) {
        holdNanos.add(hold);
        if (hold > maxHoldNanos) {
            maxHoldNanos = hold;
        }
    }

    /** A consistent-enough copy of the counters. */
    public Stats stats() {
        return new Stats(role, name, acquisitions.sum(), contended.sum(), waitNanos.sum(), maxWaitNanos,
                holdNanos.sum(), maxHoldNanos);
    }

    /** Counters of one site: acquisitions, how many found the lock held, and the time spent waiting and holding. */
    public record Stats(LockRole role, String site, long acquisitions, long contended, long waitNanos,
                        long maxWaitNanos, long holdNanos, long maxHoldNanos) {
    }

    @Override
    public String toString() {
        return role.tag() + "/" + name;
    }
}
