package io.jvmm.core.lock;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The Big Lock (BQL) of one machine: the mutex that serializes device emulation and changes to
 * vCPU run state, as QEMU's Big QEMU Lock does.
 *
 * <h2>What it guards</h2>
 * Every device on the machine's buses that does not declare its own locking; each vCPU's run
 * state, request queue and request flags; the machine's lifecycle state and pause tokens. Guest
 * memory is not guarded (the guest writes it without asking); vCPU register state is owned by the
 * vCPU's thread. This Javadoc is the one place the contract is written.
 *
 * <h2>The contract (balanced on every path)</h2>
 * <ol>
 *   <li>A vCPU thread holds the lock whenever it is outside KVM_RUN and not waiting. It takes it
 *       once, after writing its initial register state, and gives it back once when it ends, on
 *       every way out, errors included.</li>
 *   <li>The step that enters the guest is called with the lock held and returns with it held, on
 *       every path, early returns and exceptions included. It releases the lock only around
 *       KVM_RUN, and KVM_RUN is never entered with the lock held.</li>
 *   <li>Every wait (a vCPU that cannot run, a monitor waiting for vCPUs to park, a request's
 *       answer, a thread's end) happens with the lock released, and is bounded, its timeout naming
 *       whom it waited for and who held the lock. (Only the model check lifts the bounds, so that a
 *       lost wake-up hangs there instead of hiding behind a timeout.)</li>
 *   <li>A vCPU that cannot run (powered off, paused, halted) waits on its own wake-up signal with
 *       the lock released; it never loops while holding it.</li>
 *   <li>The lock is not reentrant: taking it twice on one thread is a bug, not a no-op.</li>
 * </ol>
 * Breaches throw {@link LockContractViolation} naming the thread. Reentrancy and release-without-
 * holding are always checked (they would deadlock or corrupt otherwise); the transition-point
 * checks ({@link #assertHeld}, {@link #assertNotHeld}) can be switched off with
 * {@code -Djvmm.lock.checks=false} for measurements, and are on by default and in every test.
 *
 * <h2>Order against other locks</h2>
 * The Big Lock comes first. A device with its own lock may take it while the Big Lock is held,
 * never the other way round. No code takes the Big Lock while holding a device lock, a
 * {@code synchronized} block of a vCPU, or a kick lock.
 *
 * <h2>Metrics</h2>
 * Each acquisition is made at a {@link LockSite}; the {@link LockObserver} receives the wait and
 * hold times, and the site keeps sync-profile counters. The current holder (thread, site, since
 * when) is kept so that a stall can name who holds the lock.
 */
public final class BigLock {
    /** System property switching the transition-point checks; on unless set to "false". */
    public static final String CHECKS_PROPERTY = "jvmm.lock.checks";

    /**
     * How a released lock passes to the next taker. BARGING: whoever asks first after the release
     * gets it, a queued waiter included only if it wins the race (the fastest hand-off; a vCPU
     * back from KVM_RUN in a few microseconds can take it again before a woken waiter runs).
     * FIFO: a taker that finds others queued queues behind them (every waiter is served in order;
     * each hand-off to a waiter costs that waiter's wake-up).
     */
    public enum Handoff {
        BARGING, FIFO
    }

    private final ReentrantLock lock;
    private final Handoff handoff;
    private final LockObserver observer;
    private final boolean checks;
    private final String name;
    private final Map<String, LockSite> sites = new ConcurrentHashMap<>();

    // Holder bookkeeping; written only by the holding thread, read by anyone for diagnostics.
    private volatile Thread holder;
    private volatile LockSite holderSite;
    private volatile long heldSince;

    /**
     * A lock called {@code name} (e.g. "vm-3 BQL"), reporting to {@code observer}, handed on in
     * FIFO order: under a vCPU exit storm a barging lock made the monitor's p99 wait up to three
     * times longer; FIFO costs exit throughput in that storm instead (bench/handoff,
     * docs/lock-handoff.md).
     */
    public BigLock(String name, LockObserver observer, boolean checks) {
        this(name, observer, checks, Handoff.FIFO);
    }

    /** As above, handing the lock on as {@code handoff} says. */
    public BigLock(String name, LockObserver observer, boolean checks, Handoff handoff) {
        this.name = name;
        this.observer = observer;
        this.checks = checks;
        this.handoff = handoff;
        this.lock = new ReentrantLock(handoff == Handoff.FIFO);
    }

    /** A lock with the transition checks as {@link #CHECKS_PROPERTY} says (default on). */
    public BigLock(String name, LockObserver observer) {
        this(name, observer, checksEnabledByDefault());
    }

    /** Whether {@link #CHECKS_PROPERTY} leaves the checks on. */
    public static boolean checksEnabledByDefault() {
        return !"false".equalsIgnoreCase(System.getProperty(CHECKS_PROPERTY, "true"));
    }

    /** The site called {@code siteName} for {@code role}, created on first use. */
    public LockSite site(LockRole role, String siteName) {
        LockSite s = sites.computeIfAbsent(siteName, n -> new LockSite(role, n));
        if (s.role() != role) {
            throw new IllegalArgumentException("Lock site " + siteName + " belongs to role " + s.role()
                    + ", not " + role);
        }
        return s;
    }

    /** Every site that has been created, for sync-profile output. */
    public List<LockSite> sites() {
        return new ArrayList<>(sites.values());
    }

    /** Whether the transition-point checks are on. */
    public boolean checksEnabled() {
        return checks;
    }

    /**
     * Takes the lock at {@code site}, waiting as long as it takes.
     *
     * @return nanoseconds spent waiting (0 when the lock was free)
     * @throws LockContractViolation if the calling thread already holds it
     */
    public long lock(LockSite site) {
        Thread me = Thread.currentThread();
        if (lock.isHeldByCurrentThread()) {
            throw new LockContractViolation(me.getName() + " tried to take " + name + " at " + site
                    + " while already holding it (taken at " + holderSite + "); the lock is not reentrant");
        }
        long wait = 0;
        boolean contended = !tryNow();
        if (contended) {
            long t0 = System.nanoTime();
            lock.lock();
            wait = System.nanoTime() - t0;
        }
        holder = me;
        holderSite = site;
        heldSince = System.nanoTime();
        site.recordAcquire(wait, contended);
        observer.acquired(site, wait, contended);
        return wait;
    }

    /**
     * Takes the lock at {@code site} if that is possible within {@code timeout}.
     *
     * @return whether the lock was taken
     */
    public boolean tryLock(LockSite site, long timeout, TimeUnit unit) throws InterruptedException {
        Thread me = Thread.currentThread();
        if (lock.isHeldByCurrentThread()) {
            throw new LockContractViolation(me.getName() + " tried to take " + name + " at " + site
                    + " while already holding it (taken at " + holderSite + "); the lock is not reentrant");
        }
        long t0 = System.nanoTime();
        boolean contended = !tryNow();
        if (contended && !lock.tryLock(timeout, unit)) {
            return false;
        }
        long now = System.nanoTime();
        holder = me;
        holderSite = site;
        heldSince = now;
        long wait = contended ? now - t0 : 0;
        site.recordAcquire(wait, contended);
        observer.acquired(site, wait, contended);
        return true;
    }

    /** The fast path: takes a free lock at once, unless FIFO and someone is queued for it. */
    private boolean tryNow() {
        if (handoff == Handoff.FIFO && lock.hasQueuedThreads()) {
            return false;
        }
        return lock.tryLock();
    }

    /**
     * Releases the lock.
     *
     * @throws LockContractViolation if the calling thread does not hold it
     */
    public void unlock() {
        if (!lock.isHeldByCurrentThread()) {
            Thread h = holder;
            throw new LockContractViolation(Thread.currentThread().getName() + " released " + name
                    + " without holding it (holder: " + (h == null ? "nobody" : h.getName()) + ")");
        }
        LockSite site = holderSite;
        long held = System.nanoTime() - heldSince;
        holder = null;
        holderSite = null;
        lock.unlock();
        site.recordRelease(held);
        observer.released(site, held);
    }

    /** Whether the calling thread holds the lock. */
    public boolean isHeldByCurrentThread() {
        return lock.isHeldByCurrentThread();
    }

    /** Transition-point check: the calling thread must hold the lock at {@code where}. */
    public void assertHeld(String where) {
        if (checks && !lock.isHeldByCurrentThread()) {
            throw new LockContractViolation(Thread.currentThread().getName() + " is at " + where + " without "
                    + name + "; it must hold it here");
        }
    }

    /** Transition-point check: the calling thread must not hold the lock at {@code where}. */
    public void assertNotHeld(String where) {
        if (checks && lock.isHeldByCurrentThread()) {
            throw new LockContractViolation(Thread.currentThread().getName() + " is at " + where + " holding "
                    + name + " (taken at " + holderSite + "); it must have released it");
        }
    }

    /** Who holds the lock now, if anyone: the thread, the site and for how long. */
    public Optional<Holder> holder() {
        Thread t = holder;
        LockSite s = holderSite;
        long since = heldSince;
        if (t == null || s == null) {
            return Optional.empty();
        }
        return Optional.of(new Holder(t.getName(), s, System.nanoTime() - since));
    }

    /** The lock's name, e.g. "vm-1 BQL". */
    public String name() {
        return name;
    }

    /** A snapshot of the current holder. */
    public record Holder(String threadName, LockSite site, long heldNanos) {
        @Override
        public String toString() {
            return threadName + " (" + site + ", held for " + TimeUnit.NANOSECONDS.toMillis(heldNanos) + " ms)";
        }
    }
}
