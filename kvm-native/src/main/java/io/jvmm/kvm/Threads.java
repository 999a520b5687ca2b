package io.jvmm.kvm;

/** Host thread facts the VMM reports (QEMU's {@code info cpus} shows each vCPU's thread id). */
public final class Threads {
    private Threads() {
    }

    /**
     * Puts the calling thread in the SCHED_BATCH class (sched_setscheduler(2)): it keeps its CPU
     * share, but a thread that wakes up (a monitor request, say) is not made to wait behind it.
     * Meant for CPU-bound threads such as vCPUs. Needs no privilege.
     *
     * @throws KvmException if the kernel refuses
     */
    public static void useBatchScheduling() {
        // struct sched_param is one int, the priority, which must be 0 for SCHED_BATCH.
        com.sun.jna.Memory param = new com.sun.jna.Memory(4);
        param.setInt(0, 0);
        if (LibC.sched_setscheduler(0, LibC.SCHED_BATCH, param) != 0) {
            throw new KvmException("sched_setscheduler(SCHED_BATCH)", LibC.errno());
        }
    }

    /**
     * {@link #useBatchScheduling()} as a best effort: SCHED_BATCH keeps a thread's CPU share but
     * gives up wake-up preemption, so a guest spinning in a vCPU does not delay the monitor's
     * threads; a host that refuses (a seccomp filter, say) only loses that.
     *
     * @return whether the class was changed
     */
    public static boolean tryBatchScheduling() {
        try {
            useBatchScheduling();
            return true;
        } catch (KvmException | UnsatisfiedLinkError e) {
            return false;
        }
    }

    /** The kernel thread id of the calling thread (gettid(2)). */
    public static int currentTid() {
        return LibC.gettid();
    }
}
