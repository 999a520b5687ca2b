package io.jvmm.core.devices;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/** A GuestRequests that records every call and answers startCpu with queued result codes (START_OK by default). */
final class RecordingGuestRequests implements GuestRequests {
    record Exit(int cpu, long value) {
    }

    record Start(int cpu, int target, long entry, long arg) {
    }

    final List<Exit> exits = new ArrayList<>();
    final List<Integer> powerOffs = new ArrayList<>();
    final List<Integer> resets = new ArrayList<>();
    final List<Start> starts = new ArrayList<>();
    private final Deque<Integer> results = new ArrayDeque<>();

    /** The next startCpu calls answer these codes, in order. */
    RecordingGuestRequests answer(int... codes) {
        for (int c : codes) {
            results.add(c);
        }
        return this;
    }

    @Override
    public void guestExit(int cpu, long value) {
        exits.add(new Exit(cpu, value));
    }

    @Override
    public void guestReset(int cpu) {
        resets.add(cpu);
    }

    @Override
    public void guestPowerOff(int cpu) {
        powerOffs.add(cpu);
    }

    @Override
    public int startCpu(int cpu, int target, long entry, long arg) {
        starts.add(new Start(cpu, target, entry, arg));
        Integer r = results.poll();
        return r == null ? START_OK : r;
    }
}
