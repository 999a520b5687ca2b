package io.jvmm.core.vcpu;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The times a request carries for the register-read metrics: queued, claimed, answered. */
class PendingRequestTest {
    @Test
    void itsTimesAreThoseOfItsQueueingItsClaimAndItsAnswer() throws Exception {
        long before = System.nanoTime();
        PendingRequest<VcpuSnapshot> p = new PendingRequest<>(new VcpuRequest.ReadState(), Long.MAX_VALUE);
        Thread.sleep(20);
        long claimedAt = System.nanoTime();
        assertTrue(p.claim(claimedAt));
        Thread.sleep(20);
        p.complete(null);
        long after = System.nanoTime();
        assertTrue(p.nanosToClaim() >= 20_000_000 && p.nanosToClaim() <= claimedAt - before,
                "from queueing to the claim: " + p.nanosToClaim() + " ns");
        assertTrue(p.answeredNanos() - claimedAt >= 20_000_000 && p.answeredNanos() <= after,
                "the answer's time is when it was given");
    }
}
