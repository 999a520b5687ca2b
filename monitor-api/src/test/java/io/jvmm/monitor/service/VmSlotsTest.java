package io.jvmm.monitor.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Point 7 of the hardening issue, without KVM: 80 threads released at once each try to take a slot
 * of 64; exactly 64 get one. The same race through the REST API, with real VMs, is
 * {@code VmLimitTest}.
 */
class VmSlotsTest {
    @Test
    void concurrentCreatesNeverExceedTheLimit() throws Exception {
        for (int round = 0; round < 10; round++) {
            VmSlots slots = new VmSlots(64);
            CountDownLatch go = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(80);
            List<Future<Boolean>> tries = new ArrayList<>();
            for (int i = 0; i < 80; i++) {
                tries.add(pool.submit(() -> {
                    go.await();
                    try {
                        slots.take();
                        return true;
                    } catch (ServiceException e) {
                        assertEquals(409, e.status());
                        return false;
                    }
                }));
            }
            go.countDown();
            int got = 0;
            for (Future<Boolean> f : tries) {
                got += f.get(10, TimeUnit.SECONDS) ? 1 : 0;
            }
            pool.shutdown();
            assertEquals(64, got, "round " + round);
            assertEquals(64, slots.taken());
        }
    }

    @Test
    void aSlotGivenBackCanBeTakenAgainButNotGivenTwice() {
        VmSlots slots = new VmSlots(1);
        slots.take();
        assertThrows(ServiceException.class, slots::take);
        slots.give();
        slots.take();
        slots.give();
        assertThrows(IllegalStateException.class, slots::give);
    }
}
