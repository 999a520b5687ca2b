package io.jvmm.core.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The Big Lock's own contract checks, holder bookkeeping and counters. */
class BigLockTest {
    private final List<String> events = new ArrayList<>();
    private final LockObserver recorder = new LockObserver() {
        @Override
        public synchronized void acquired(LockSite site, long waitNanos, boolean contended) {
            events.add("acquired " + site + (contended ? " contended" : ""));
        }

        @Override
        public synchronized void released(LockSite site, long holdNanos) {
            events.add("released " + site);
        }
    };
    private final BigLock lock = new BigLock("vm-t BQL", recorder, true);
    private final LockSite vcpu = lock.site(LockRole.VCPU, "vcpu-exit");
    private final LockSite monitor = lock.site(LockRole.MONITOR, "monitor");

    @Test
    void takingItTwiceOnOneThreadIsAViolationNamingTheThread() {
        lock.lock(vcpu);
        try {
            LockContractViolation v = assertThrows(LockContractViolation.class, () -> lock.lock(monitor));
            assertEquals(Thread.currentThread().getName() + " tried to take vm-t BQL at monitor/monitor while "
                    + "already holding it (taken at vcpu/vcpu-exit); the lock is not reentrant", v.getMessage());
        } finally {
            lock.unlock();
        }
        assertFalse(lock.isHeldByCurrentThread());
    }

    @Test
    void releasingWithoutHoldingIsAViolation() {
        LockContractViolation v = assertThrows(LockContractViolation.class, lock::unlock);
        assertTrue(v.getMessage().contains("released vm-t BQL without holding it (holder: nobody)"), v.getMessage());
    }

    @Test
    void transitionChecksFireOnlyWhenEnabled() {
        assertThrows(LockContractViolation.class, () -> lock.assertHeld("x"));
        lock.lock(vcpu);
        try {
            LockContractViolation v = assertThrows(LockContractViolation.class, () -> lock.assertNotHeld("KVM_RUN"));
            assertTrue(v.getMessage().contains("is at KVM_RUN holding vm-t BQL (taken at vcpu/vcpu-exit)"));
        } finally {
            lock.unlock();
        }
        BigLock unchecked = new BigLock("u", LockObserver.NONE, false);
        unchecked.assertHeld("x"); // no violation with checks off
        LockSite s = unchecked.site(LockRole.VCPU, "s");
        unchecked.lock(s);
        unchecked.assertNotHeld("y");
        // reentrancy stays checked even with the transition checks off
        assertThrows(LockContractViolation.class, () -> unchecked.lock(s));
        unchecked.unlock();
    }

    @Test
    void theHolderIsNamedWithItsSiteAndTheContendedWaitIsMeasured() throws Exception {
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread t = new Thread(() -> {
            lock.lock(vcpu);
            held.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            lock.unlock();
        }, "vcpu-3");
        t.start();
        held.await();
        BigLock.Holder h = lock.holder().orElseThrow();
        assertEquals("vcpu-3", h.threadName());
        assertEquals(vcpu, h.site());
        assertFalse(lock.tryLock(monitor, 50, TimeUnit.MILLISECONDS));
        Thread releaser = new Thread(() -> {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            release.countDown();
        });
        releaser.start();
        long wait = lock.lock(monitor);
        lock.unlock();
        t.join();
        assertTrue(wait >= TimeUnit.MILLISECONDS.toNanos(50), "waited only " + wait + " ns");
        LockSite.Stats s = monitor.stats();
        assertEquals(1, s.acquisitions());
        assertEquals(1, s.contended());
        assertTrue(s.maxWaitNanos() >= TimeUnit.MILLISECONDS.toNanos(50));
        assertTrue(events.contains("acquired monitor/monitor contended"), events.toString());
        assertTrue(lock.holder().isEmpty());
    }

    @Test
    void aSiteBelongsToOneRole() {
        assertThrows(IllegalArgumentException.class, () -> lock.site(LockRole.SERVICE, "vcpu-exit"));
        assertEquals(vcpu, lock.site(LockRole.VCPU, "vcpu-exit"));
    }
}
