package io.jvmm.core.vcpu;

/**
 * The decisions of the vCPU loop: whether to wait, how to enter the guest, whether to run a
 * queued request, whether a kicked vCPU goes back into the guest without the lock. The product
 * uses {@link #STANDARD}. The seam exists so that tests can reintroduce defects and show the
 * checks catch them: the hang of a VMM whose halted vCPUs never count as idle (a policy that
 * never waits and whose entry step returns early, lock held, for a vCPU that cannot run; the
 * loop's contract checks then name the thread), a late work item, a pause's kick swallowed.
 */
public interface VcpuLoopPolicy {
    /** Every decision as its default method makes it. */
    VcpuLoopPolicy STANDARD = new VcpuLoopPolicy() {
        @Override
        public String toString() {
            return "standard";
        }
    };

    /**
     * Whether the vCPU must wait for a wake-up now: the product waits whenever it cannot run.
     * Called on the vCPU thread with the Big Lock held.
     */
    default boolean mustWait(Vcpu vcpu) {
        return !vcpu.canRun();
    }

    /**
     * Enters the guest once, the product with {@link Vcpu#enterGuestOnce()}. Called with the Big
     * Lock held; must return with it held, on every path.
     */
    default StepResult enterGuest(Vcpu vcpu) {
        return vcpu.enterGuestOnce();
    }

    /**
     * After an exit that only a kick caused, register reads answered, lock released: whether to go
     * straight back into the guest without taking the lock. The product does when nothing asked
     * the vCPU to stop ({@code requestFlag} clear: a pause, a request and a stop all set it before
     * they kick) and no register write is pending (writes happen under the lock).
     */
    default boolean backIntoTheGuest(boolean requestFlag, boolean writePending) {
        return !requestFlag && !writePending;
    }

    /**
     * Whether to run queued request {@code request} now ({@code nowNanos}): the product claims it,
     * which fails, dropping it, once its deadline has passed or its sender gave up. Called on the
     * vCPU thread, with the Big Lock held (for a register read, without it).
     */
    default boolean admit(PendingRequest<?> request, long nowNanos) {
        return request.claim(nowNanos);
    }
}
