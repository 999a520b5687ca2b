package io.jvmm.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Point 4 of the hardening issue, at the binding: a descriptor is never closed under a call in
 * flight, so a call can never reach a closed or reused descriptor number. Uses /dev/null, so it
 * needs no KVM; {@code KvmBindingTest} shows the same for a vCPU inside KVM_RUN.
 */
class NativeFdTest {
    private static final class NullFd extends NativeFd {
        int releases;

        NullFd() {
            super(LibC.open("/dev/null", 0), "NullFd");
        }

        @Override
        protected void releaseResources() {
            releases++;
        }
    }

    private static boolean open(int fd) {
        return Files.exists(Path.of("/proc/self/fd/" + fd));
    }

    @Test
    void closeWithNoCallInFlightClosesAtOnce() {
        NullFd d = new NullFd();
        int n = d.fd();
        assertTrue(open(n));
        d.close();
        assertTrue(d.isClosed());
        assertFalse(open(n));
        assertEquals(1, d.releases);
        d.close();
        assertEquals(1, d.releases, "close runs once");
    }

    @Test
    void closeDuringACallIsDeferredUntilTheCallReturns() {
        NullFd d = new NullFd();
        int n = d.acquire(); // a call in flight, as KVM_RUN is on a vCPU thread
        d.close();
        assertTrue(d.isClosed(), "no new call may start");
        assertThrows(IllegalStateException.class, d::acquire);
        assertTrue(open(n), "the descriptor must stay open while the call uses it");
        assertEquals(0, d.releases, "nor may its mapping go away");
        d.release();
        assertFalse(open(n), "the last call out closes it");
        assertEquals(1, d.releases);
    }

    @Test
    void theDescriptorClosesOnlyWhenTheLastOfSeveralCallsReturns() {
        NullFd d = new NullFd();
        int n = d.acquire();
        d.acquire();
        assertEquals(2, d.callsInFlight());
        d.close();
        d.release();
        assertTrue(open(n));
        d.release();
        assertFalse(open(n));
    }

    @Test
    void callsAfterCloseFailWithoutReachingTheDescriptor() {
        NullFd d = new NullFd();
        d.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> d.ioctl("TEST", 0, 0L));
        assertTrue(e.getMessage().startsWith("NullFd (fd "), e.getMessage());
    }

    @Test
    void concurrentCallsAndACloseNeverCloseUnderACall() throws Exception {
        for (int round = 0; round < 200; round++) {
            NullFd d = new NullFd();
            int n = d.fd();
            boolean[] sawClosedUnderCall = {false};
            Thread caller = new Thread(() -> {
                for (int i = 0; i < 1000; i++) {
                    try {
                        d.acquire();
                    } catch (IllegalStateException e) {
                        return;
                    }
                    try {
                        if (!open(n)) {
                            sawClosedUnderCall[0] = true;
                        }
                    } finally {
                        d.release();
                    }
                }
            });
            caller.start();
            d.close();
            caller.join(10_000);
            assertFalse(sawClosedUnderCall[0], "round " + round);
            assertEquals(0, d.callsInFlight());
            assertEquals(1, d.releases, "closed exactly once in the end");
        }
    }
}
