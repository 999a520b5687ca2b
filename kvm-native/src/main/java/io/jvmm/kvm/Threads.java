package io.jvmm.kvm;

/** Host thread facts the VMM reports (QEMU's {@code info cpus} shows each vCPU's thread id). */
public final class Threads {
    private Threads() {
    }

    /** The kernel thread id of the calling thread (gettid(2)). */
    public static int currentTid() {
        return LibC.gettid();
    }
}
