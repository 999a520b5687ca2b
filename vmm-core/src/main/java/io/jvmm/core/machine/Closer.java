package io.jvmm.core.machine;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The resources a machine holds, closed in the reverse of the order they were taken: a machine
 * registers each descriptor, mapping and meter the moment it has it, so that a failure half-way
 * through building the machine closes exactly what had been taken, and {@code destroy} closes
 * everything once. Not thread-safe: used by the thread that builds, then by the one that destroys.
 */
final class Closer {
    private final Deque<AutoCloseable> held = new ArrayDeque<>();

    /** Registers {@code resource} and returns it. */
    <T extends AutoCloseable> T add(T resource) {
        held.push(resource);
        return resource;
    }

    /**
     * Closes everything, newest first, carrying on past failures; the first failure is thrown at
     * the end with the others suppressed in it.
     */
    void closeAll() {
        RuntimeException first = null;
        while (!held.isEmpty()) {
            try {
                held.pop().close();
            } catch (Exception e) {
                if (first == null) {
                    first = e instanceof RuntimeException re ? re : new IllegalStateException(e);
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** Closes everything after {@code cause} made building fail; failures to close are added to it. */
    void closeAfter(Throwable cause) {
        try {
            closeAll();
        } catch (RuntimeException e) {
            cause.addSuppressed(e);
        }
    }
}
