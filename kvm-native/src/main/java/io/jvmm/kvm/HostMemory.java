package io.jvmm.kvm;

import com.sun.jna.Pointer;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An anonymous, private host mapping used as guest RAM: mmap(2) on creation, munmap(2) once on
 * close. Pages are reserved lazily (MAP_NORESERVE), so a 3 GiB guest that touches 1 MiB costs
 * 1 MiB of host memory.
 */
public final class HostMemory implements AutoCloseable {
    private final Pointer base;
    private final long size;
    private final AtomicBoolean closed = new AtomicBoolean();

    private HostMemory(Pointer base, long size) {
        this.base = base;
        this.size = size;
    }

    /**
     * Maps {@code size} bytes of zeroed memory (mmap with MAP_PRIVATE|MAP_ANONYMOUS|MAP_NORESERVE).
     *
     * @throws KvmException with the errno of mmap, e.g. ENOMEM
     * @throws IllegalArgumentException if size is not a positive multiple of 4 KiB
     */
    public static HostMemory allocate(long size) {
        if (size <= 0 || (size & 0xfff) != 0) {
            throw new IllegalArgumentException("Host memory size must be a positive multiple of 4 KiB, got " + size);
        }
        Pointer p = LibC.mmap(null, size, LibC.PROT_READ | LibC.PROT_WRITE,
                LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS | LibC.MAP_NORESERVE, -1, 0);
        if (Pointer.nativeValue(p) == LibC.MAP_FAILED) {
            throw new KvmException("mmap", LibC.errno());
        }
        return new HostMemory(p, size);
    }

    /** The start of the mapping; valid until {@link #close()}. */
    public Pointer pointer() {
        checkOpen();
        return base;
    }

    /** The host virtual address of the mapping, as KVM_SET_USER_MEMORY_REGION wants it. */
    public long address() {
        return Pointer.nativeValue(pointer());
    }

    /** The mapping's length in bytes. */
    public long size() {
        return size;
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException("Host memory of " + size + " bytes is unmapped");
        }
    }

    /** Unmaps once; later calls do nothing. No vCPU may run on this memory afterwards. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            LibC.munmap(base, size);
        }
    }
}
