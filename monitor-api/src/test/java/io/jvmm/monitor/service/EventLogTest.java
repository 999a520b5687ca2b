package io.jvmm.monitor.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** EventLog on its own: numbering, replay after a given event, the lost-events marker, filters, closed subscribers. */
class EventLogTest {
    private final EventLog log = new EventLog(4);

    private List<String> types(List<VmEvent> events) {
        return events.stream().map(e -> e.seq() + ":" + e.type()).toList();
    }

    @Test
    void aFreshSubscriberGetsOnlyNewEventsInOrder() {
        log.publish("vm-1", null, VmEvent.CREATED, Map.of());
        List<VmEvent> got = new ArrayList<>();
        log.subscribe(-1, e -> true, e -> got.add(e));
        log.publish("vm-1", null, VmEvent.PAUSED, Map.of());
        log.publish("vm-1", null, VmEvent.RESUMED, Map.of());
        assertEquals(List.of("2:paused", "3:resumed"), types(got));
    }

    @Test
    void aReconnectingSubscriberGetsWhatItMissedThenTheRest() {
        for (String t : new String[] {VmEvent.CREATED, VmEvent.PAUSED, VmEvent.RESUMED}) {
            log.publish("vm-1", null, t, Map.of());
        }
        List<VmEvent> got = new ArrayList<>();
        log.subscribe(1, e -> true, e -> got.add(e));
        log.publish("vm-1", null, VmEvent.ENDED, Map.of());
        assertEquals(List.of("2:paused", "3:resumed", "4:ended"), types(got));
    }

    @Test
    void eventsNoLongerKeptAreReportedAsLost() {
        for (int i = 0; i < 7; i++) {
            log.publish("vm-1", null, VmEvent.RESET, Map.of());
        }
        List<VmEvent> got = new ArrayList<>();
        log.subscribe(1, e -> true, e -> got.add(e)); // 2 and 3 are gone: 4..7 kept
        assertEquals(List.of("3:events-lost", "4:reset", "5:reset", "6:reset", "7:reset"), types(got));
        assertEquals(Map.of("from", 2L, "to", 3L, "count", 2L), got.get(0).data());
    }

    @Test
    void aFilterSelectsOneVmAndAClosedSubscriberIsDropped() {
        List<VmEvent> got = new ArrayList<>();
        int[] budget = {2};
        log.subscribe(-1, e -> "vm-2".equals(e.vm()), e -> {
            got.add(e);
            return --budget[0] > 0;
        });
        log.publish("vm-1", null, VmEvent.CREATED, Map.of());
        log.publish("vm-2", "db", VmEvent.CREATED, Map.of());
        assertEquals(1, log.subscribers());
        log.publish("vm-2", "db", VmEvent.PAUSED, Map.of());
        assertEquals(0, log.subscribers(), "it said it was closed");
        log.publish("vm-2", "db", VmEvent.RESUMED, Map.of());
        assertEquals(List.of("2:created", "3:paused"), types(got));
    }
}
