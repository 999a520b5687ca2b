package io.jvmm.kvm;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A file descriptor owned by exactly one object and closed exactly once, never while a call on it
 * is in flight.
 *
 * <p>Subclasses wrap the descriptor the moment the call that made it returns, so a later failure
 * in their constructor (an mmap, say) can still close it. Every native call on the descriptor is
 * made between {@link #acquire()} and {@link #release()} (the ioctl helpers here do it), which count
 * the calls in flight: {@link #close()} marks the object closed at once, so no new call starts, and
 * the descriptor itself is closed by whichever of {@code close()} and the last call in flight comes
 * last. A call can therefore never reach a closed descriptor, nor a number the process has since
 * reused for another file. {@link #close()} is idempotent; a call after it fails with
 * {@link IllegalStateException}.
 */
abstract class NativeFd implements AutoCloseable {
    private static final long CLOSED = 1L << 62;

    private final int fd;
    private final String kind;
    /** {@link #CLOSED} once close() was called, plus the number of calls in flight. */
    private final AtomicLong state = new AtomicLong();
    private final AtomicBoolean released = new AtomicBoolean();

    NativeFd(int fd, String kind) {
        this.fd = fd;
        this.kind = kind;
    }

    /**
     * The raw number, for diagnostics and tests. Code that hands it to native code must hold it
     * with {@link #acquire()} for the duration of the call instead.
     */
    public final int fd() {
        if (isClosed()) {
            throw new IllegalStateException(kind + " (fd " + fd + ") is closed");
        }
        return fd;
    }

    /**
     * Starts a call on the descriptor: returns the number, which stays open until the matching
     * {@link #release()}.
     *
     * @throws IllegalStateException if this object has been closed
     */
    final int acquire() {
        while (true) {
            long s = state.get();
            if ((s & CLOSED) != 0) {
                throw new IllegalStateException(kind + " (fd " + fd + ") is closed");
            }
            if (state.compareAndSet(s, s + 1)) {
                return fd;
            }
        }
    }

    /** Ends a call started with {@link #acquire()}; the last one out after a close closes the descriptor. */
    final void release() {
        long s = state.decrementAndGet();
        if (s == CLOSED) {
            closeNow();
        }
    }

    /** Whether {@link #close()} has been called (the descriptor itself may still be open for a call in flight). */
    public final boolean isClosed() {
        return (state.get() & CLOSED) != 0;
    }

    /** Calls on the descriptor in flight right now. */
    final long callsInFlight() {
        return state.get() & ~CLOSED;
    }

    /** Releases what the subclass holds besides the descriptor (mappings); runs once, before close(2). */
    protected void releaseResources() {
    }

    /** Closes the descriptor once, at once or when the last call in flight returns; later calls do nothing. */
    @Override
    public final void close() {
        while (true) {
            long s = state.get();
            if ((s & CLOSED) != 0) {
                return;
            }
            if (state.compareAndSet(s, s | CLOSED)) {
                if (s == 0) {
                    closeNow();
                }
                return;
            }
        }
    }

    private void closeNow() {
        if (released.compareAndSet(false, true)) {
            try {
                releaseResources();
            } finally {
                LibC.close(fd);
            }
        }
    }

    /** ioctl with no argument or an integer argument; throws {@link KvmException} on -1. */
    final int ioctl(String name, long request, long arg) {
        int f = acquire();
        try {
            int r = LibC.ioctl(f, request, arg);
            if (r < 0) {
                throw new KvmException(name, LibC.errno());
            }
            return r;
        } finally {
            release();
        }
    }

    /** ioctl with a pointer argument; throws {@link KvmException} on -1. */
    final int ioctl(String name, long request, com.sun.jna.Pointer arg) {
        return ioctlAllowing(name, request, arg, null);
    }

    /**
     * ioctl with a pointer argument that may also fail with {@code allowed} (returned as minus its
     * number); any other failure throws {@link KvmException}.
     */
    final int ioctlAllowing(String name, long request, com.sun.jna.Pointer arg, Errno allowed) {
        int f = acquire();
        try {
            int r = LibC.ioctl(f, request, arg);
            if (r < 0) {
                int err = LibC.errno();
                if (allowed != null && err == allowed.number()) {
                    return -err;
                }
                throw new KvmException(name, err);
            }
            return r;
        } finally {
            release();
        }
    }

    @Override
    public String toString() {
        return kind + "(fd " + fd + (isClosed() ? ", closed" : "") + ")";
    }
}
