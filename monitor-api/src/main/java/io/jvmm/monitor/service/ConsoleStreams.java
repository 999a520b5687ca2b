package io.jvmm.monitor.service;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Followers of VM consoles. One daemon thread looks every {@link #PERIOD_MS} ms at each follower's
 * console and hands it what is new (so the vCPU thread that writes the byte, under the Big Lock,
 * only copies it into the ring); a follower that fell more than the ring behind is told how many
 * bytes it lost.
 */
@ApplicationScoped
public class ConsoleStreams {
    /** How often consoles are looked at. */
    static final long PERIOD_MS = 20;

    /** Receives console output; returns false once it is closed (and is then dropped). */
    public interface Follower {
        /** {@code text}, bytes {@code offset} to {@code end}, after {@code lost} bytes it never got. */
        boolean accept(long offset, long end, String text, long lost);

        /** The VM was destroyed: no more output will come. */
        void ended();
    }

    private record Entry(ManagedVm vm, Follower follower, long[] next) {
    }

    private final List<Entry> entries = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "console-streams");
        t.setDaemon(true);
        return t;
    });

    ConsoleStreams() {
        timer.scheduleWithFixedDelay(this::poll, PERIOD_MS, PERIOD_MS, TimeUnit.MILLISECONDS);
    }

    /** Follows {@code vm}'s console from byte {@code from} (clamped to what is kept). */
    public void follow(ManagedVm vm, long from, Follower f) {
        entries.add(new Entry(vm, f, new long[] {Math.max(0, from)}));
    }

    private void poll() {
        for (Entry e : entries) {
            try {
                ConsoleBuffer.Chunk c = e.vm().console().readFrom(e.next()[0]);
                boolean open = true;
                if (!c.text().isEmpty() || c.lost() > 0) {
                    open = e.follower().accept(c.offset(), c.end(), c.text(), c.lost());
                    e.next()[0] = c.end();
                }
                if (open && e.vm().machine().state() == io.jvmm.core.machine.MachineState.DESTROYED) {
                    e.follower().ended();
                    open = false;
                }
                if (!open) {
                    entries.remove(e);
                }
            } catch (RuntimeException ex) {
                entries.remove(e);
            }
        }
    }

    @PreDestroy
    void stop() {
        timer.shutdownNow();
    }
}
