package io.jvmm.monitor.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RecentlyDestroyedTest {
    private final RecentlyDestroyed destroyed = new RecentlyDestroyed();

    @Test
    void aLongRunningServiceRemembersOnlyTheLastOnes() {
        for (int i = 1; i <= 3 * RecentlyDestroyed.KEPT; i++) {
            destroyed.add("vm-" + i);
        }
        assertEquals(RecentlyDestroyed.KEPT, destroyed.size());
        assertTrue(destroyed.contains("vm-" + 3 * RecentlyDestroyed.KEPT));
        assertTrue(destroyed.contains("vm-" + (2 * RecentlyDestroyed.KEPT + 1)));
        assertFalse(destroyed.contains("vm-" + 2 * RecentlyDestroyed.KEPT), "the oldest are forgotten");
    }

    @Test
    void aNameDestroyedAgainCountsAsRecent() {
        destroyed.add("web");
        for (int i = 1; i < RecentlyDestroyed.KEPT; i++) {
            destroyed.add("vm-" + i);
        }
        destroyed.add("web");
        destroyed.add("vm-next");
        assertTrue(destroyed.contains("web"), "re-added, so not the oldest");
        assertFalse(destroyed.contains("vm-1"));
    }
}
