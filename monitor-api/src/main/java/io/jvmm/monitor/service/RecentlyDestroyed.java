package io.jvmm.monitor.service;

import java.util.Iterator;
import java.util.LinkedHashSet;

/**
 * The ids and names of the last {@link #KEPT} VMs destroyed, so that a request for one is told
 * the VM was destroyed rather than that it never existed. Older ones are forgotten: a service
 * that runs for months must not grow with every VM it ever had.
 */
final class RecentlyDestroyed {
    /** How many ids and names are remembered. */
    static final int KEPT = 4096;

    private final LinkedHashSet<String> kept = new LinkedHashSet<>();

    /** Remembers {@code idOrName} as the most recent, forgetting the oldest beyond {@link #KEPT}. */
    synchronized void add(String idOrName) {
        kept.remove(idOrName);
        kept.add(idOrName);
        Iterator<String> oldest = kept.iterator();
        while (kept.size() > KEPT) {
            oldest.next();
            oldest.remove();
        }
    }

    synchronized boolean contains(String idOrName) {
        return kept.contains(idOrName);
    }

    synchronized int size() {
        return kept.size();
    }
}
