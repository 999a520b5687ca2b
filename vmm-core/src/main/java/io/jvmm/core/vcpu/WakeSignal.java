package io.jvmm.core.vcpu;

/**
 * A vCPU's wake-up signal: a binary semaphore, so a wake that comes before the wait is not lost.
 * A leaf lock: nothing is taken while it is held.
 */
final class WakeSignal {
    private boolean pending;

    /** Wakes the waiter, or lets its next wait return at once. Any thread. */
    synchronized void signal() {
        pending = true;
        notifyAll();
    }

    /** Waits for a signal, at most {@code timeoutMs} (0: until signalled); consumes it. */
    synchronized void await(long timeoutMs) {
        if (!pending) {
            try {
                if (timeoutMs == 0) {
                    wait();
                } else {
                    wait(timeoutMs);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        pending = false;
    }
}
