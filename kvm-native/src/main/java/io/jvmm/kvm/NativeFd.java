package io.jvmm.kvm;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A file descriptor owned by exactly one object and closed exactly once.
 *
 * <p>Subclasses wrap the descriptor the moment the call that made it returns, so a later failure
 * in their constructor (an mmap, say) can still close it. {@link #close()} is idempotent; any use
 * after close fails with {@link IllegalStateException} instead of reaching a descriptor number the
 * process may have reused.
 */
abstract class NativeFd implements AutoCloseable {
    private final int fd;
    private final String kind;
    private final AtomicBoolean closed = new AtomicBoolean();

    NativeFd(int fd, String kind) {
        this.fd = fd;
        this.kind = kind;
    }

    /** The raw descriptor; throws if this object has been closed. */
    public final int fd() {
        if (closed.get()) {
            throw new IllegalStateException(kind + " (fd " + fd + ") is closed");
        }
        return fd;
    }

    /** Whether {@link #close()} has run. */
    public final boolean isClosed() {
        return closed.get();
    }

    /** Releases what the subclass holds besides the descriptor (mappings); runs once, before close(2). */
    protected void releaseResources() {
    }

    /** Closes the descriptor once; later calls do nothing. */
    @Override
    public final void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                releaseResources();
            } finally {
                LibC.close(fd);
            }
        }
    }

    /** ioctl with no argument or an integer argument; throws {@link KvmException} on -1. */
    final int ioctl(String name, long request, long arg) {
        int r = LibC.ioctl(fd(), request, arg);
        if (r < 0) {
            throw new KvmException(name, LibC.errno());
        }
        return r;
    }

    /** ioctl with a pointer argument; throws {@link KvmException} on -1. */
    final int ioctl(String name, long request, com.sun.jna.Pointer arg) {
        int r = LibC.ioctl(fd(), request, arg);
        if (r < 0) {
            throw new KvmException(name, LibC.errno());
        }
        return r;
    }

    @Override
    public String toString() {
        return kind + "(fd " + fd + (closed.get() ? ", closed" : "") + ")";
    }
}
