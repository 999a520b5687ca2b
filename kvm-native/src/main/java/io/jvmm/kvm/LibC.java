package io.jvmm.kvm;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/**
 * The raw libc calls the binding makes, direct-mapped with {@link Native#register}: a call costs
 * a few hundred nanoseconds on a PVM host (about 250 ns more than from C), against microseconds
 * for JNA's interface mapping. KVM_RUN, the one call made per guest exit, uses {@link RunShim}.
 *
 * <p>Raw layer: every method returns what libc returns; on failure the caller reads errno with
 * {@link #errno()} (JNA saves errno after every direct call, on the calling thread) and turns
 * it into a {@link KvmException}. Nothing here throws. Only classes of this package call it.
 */
final class LibC {
    static {
        Native.register(NativeLibrary.getInstance("c"));
    }

    private LibC() {
    }

    static final int O_RDWR = 0x2;
    static final int O_CLOEXEC = 0x80000;
    static final int PROT_READ = 0x1;
    static final int PROT_WRITE = 0x2;
    static final int MAP_SHARED = 0x01;
    static final int MAP_PRIVATE = 0x02;
    static final int MAP_ANONYMOUS = 0x20;
    static final int MAP_NORESERVE = 0x4000;
    static final long MAP_FAILED = -1L;
    static final int SIG_BLOCK = 0;
    static final int SIG_UNBLOCK = 1;
    static final int SIG_SETMASK = 2;
    /** glibc's sigset_t is 1024 bits. */
    static final int GLIBC_SIGSET_BYTES = 128;

    /** The errno the last call on this thread left. */
    static int errno() {
        return Native.getLastError();
    }

    static native int open(String path, int flags);

    static native int close(int fd);

    static native int ioctl(int fd, long request, Pointer arg);

    static native int ioctl(int fd, long request, long arg);

    static native Pointer mmap(Pointer addr, long length, int prot, int flags, int fd, long offset);

    static native int munmap(Pointer addr, long length);

    /** Returns 0 or an error number (not errno): pthread functions do not set errno. */
    static native int pthread_sigmask(int how, Pointer set, Pointer oldset);

    static native int sigtimedwait(Pointer set, Pointer info, Pointer timeout);

    static native int getpid();

    /** glibc 2.30 and later export gettid(2) and tgkill(2) directly. */
    static native int gettid();

    static native int tgkill(int tgid, int tid, int sig);

    /** sched_setscheduler(2); pid 0 is the calling thread. */
    static native int sched_setscheduler(int pid, int policy, Pointer param);

    static final int SCHED_BATCH = 3;
}
