package io.jvmm.monitor.service;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * The service's lifecycle events, numbered in one sequence, the last {@link #capacity} of them
 * kept for clients that reconnect. A subscriber gets, in order and without gaps, what it missed
 * since the event it names (or an {@link VmEvent#LOST} event saying how many are gone), then every
 * new event; {@link #publish} and {@link #subscribe} are atomic with respect to each other, so
 * nothing falls between the replay and the live stream. Publishing never blocks: a subscriber's
 * {@link Subscriber#accept} must not (an SSE sink sends asynchronously).
 */
public final class EventLog {
    /** Receives events; returns false once it is closed (and is then dropped). */
    public interface Subscriber {
        boolean accept(VmEvent e);
    }

    private final int capacity;
    private final Deque<VmEvent> recent = new ArrayDeque<>();
    private final List<Entry> subscribers = new CopyOnWriteArrayList<>();
    private long nextSeq = 1;

    private record Entry(Predicate<VmEvent> filter, Subscriber subscriber) {
    }

    /** A log keeping the last {@code capacity} events. */
    public EventLog(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity " + capacity);
        }
        this.capacity = capacity;
    }

    /** Numbers, keeps and delivers an event of {@code type} about VM {@code vm} (named {@code name}, or null). */
    public synchronized VmEvent publish(String vm, String name, String type, Map<String, Object> data) {
        VmEvent e = new VmEvent(nextSeq++, Instant.now(), vm, name, type, Map.copyOf(data));
        recent.addLast(e);
        if (recent.size() > capacity) {
            recent.removeFirst();
        }
        for (Entry s : subscribers) {
            if (s.filter.test(e) && !s.subscriber.accept(e)) {
                subscribers.remove(s);
            }
        }
        return e;
    }

    /**
     * Delivers to {@code s} the kept events after {@code lastSeen} that pass {@code filter} (all kept
     * ones for a {@code lastSeen} of 0 or less; none for -1, a fresh subscription), preceded by an
     * {@link VmEvent#LOST} event if some it asked for are no longer kept, then every new one.
     */
    public synchronized void subscribe(long lastSeen, Predicate<VmEvent> filter, Subscriber s) {
        List<VmEvent> replay = new ArrayList<>();
        if (lastSeen >= 0) {
            long oldest = recent.isEmpty() ? nextSeq : recent.peekFirst().seq();
            if (lastSeen + 1 < oldest && lastSeen > 0) {
                replay.add(new VmEvent(oldest - 1, Instant.now(), null, null, VmEvent.LOST,
                        Map.of("from", lastSeen + 1, "to", oldest - 1, "count", oldest - 1 - lastSeen)));
            }
            for (VmEvent e : recent) {
                if (e.seq() > lastSeen && filter.test(e)) {
                    replay.add(e);
                }
            }
        }
        for (VmEvent e : replay) {
            if (!s.accept(e)) {
                return;
            }
        }
        subscribers.add(new Entry(filter, s));
    }

    /** The sequence number the next event will get, less one: the last one published (0 if none). */
    public synchronized long lastSeq() {
        return nextSeq - 1;
    }

    /** How many subscribers are attached. */
    public int subscribers() {
        return subscribers.size();
    }
}
