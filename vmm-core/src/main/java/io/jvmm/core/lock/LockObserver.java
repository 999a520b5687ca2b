package io.jvmm.core.lock;

/**
 * Receives the Big Lock's timings. Called on the acquiring or releasing thread, on every
 * acquisition, so implementations must be cheap and must not take the Big Lock or block.
 */
public interface LockObserver {
    /** An observer that records nothing. */
    LockObserver NONE = new LockObserver() {
        @Override
        public void acquired(LockSite site, long waitNanos, boolean contended) {
        }

        @Override
        public void released(LockSite site, long holdNanos) {
        }
    };

    /** {@code site} got the lock after waiting {@code waitNanos}; {@code contended} if it was held at first try. */
    void acquired(LockSite site, long waitNanos, boolean contended);

    /** {@code site} released the lock after holding it {@code holdNanos}. */
    void released(LockSite site, long holdNanos);
}
