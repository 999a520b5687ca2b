package io.jvmm.core.testing;

import io.jvmm.core.vcpu.VcpuLoopPolicy;

/**
 * Sensitivity control (d), test code only: a vCPU kicked out of the guest goes straight back in
 * without the lock whatever the kick was for, ignoring the request flag that a pause, a request
 * or a stop sets. The shortcut that spares a read's kick the Big Lock then swallows a pause's
 * kick too: the vCPU never parks, and whoever waits for it to park waits for ever. {@link #disarm()}
 * restores the standard decision.
 */
public final class KickedPastThePauseControl implements VcpuLoopPolicy {
    private volatile boolean armed = true;

    /** Restores the standard decision, so a test can stop the vCPU after watching it miss the pause. */
    public void disarm() {
        armed = false;
    }

    @Override
    public boolean backIntoTheGuest(boolean requestFlag, boolean writePending) {
        return armed ? !writePending : VcpuLoopPolicy.super.backIntoTheGuest(requestFlag, writePending);
    }

    @Override
    public String toString() {
        return "control (d): kicks never take the vCPU through its loop";
    }
}
