package io.jvmm.monitor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.core.testing.Qemu;
import io.jvmm.core.testing.RequiresQemu;
import io.jvmm.kvm.testing.RequiresKvm;
import org.junit.jupiter.api.Test;

/** {@code ./vmm run} as a user runs it: the real launcher, the packaged application, real KVM. */
@RequiresKvm
class VmmRunIT {
    @Test
    void helloPrintsItsLineAndExitsZero() throws Exception {
        Launcher.Run r = Launcher.run("run", "hello");
        assertEquals("hello: Hello from a jvmm guest\n", r.out());
        assertEquals("", r.err());
        assertEquals(0, r.status());
    }

    @Test
    void theExitStatusIsTheGuestsValue() throws Exception {
        Launcher.Run r = Launcher.run("run", "-append", "exit=42", "hello");
        assertEquals(42, r.status(), r.err());
    }

    @Test
    @RequiresQemu
    void helloOutputEqualsQemusForTheSameImage() throws Exception {
        for (String append : new String[] {"", "exit=5"}) {
            Launcher.Run ours = append.isEmpty() ? Launcher.run("run", "hello")
                    : Launcher.run("run", "-append", append, "hello");
            Qemu.Result qemu = Qemu.run("hello", "1", "64M", append, 120);
            assertFalse(qemu.timedOut(), "QEMU did not finish");
            assertEquals(qemu.output(), ours.out(), "output differs from QEMU's (append '" + append + "')");
            assertEquals(qemu.guestValue(), ours.status(), "QEMU exited " + qemu.status() + " = (v << 1) | 1");
        }
    }

    @Test
    void anSmpGuestBootsFromTheCommandLine() throws Exception {
        Launcher.Run r = Launcher.run("run", "-smp", "8,sockets=2,cores=2,threads=2", "-m", "64M", "smp-boot");
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("smp-boot: PASS"), r.out());
    }

    @Test
    void listsTheBundledGuests() throws Exception {
        Launcher.Run r = Launcher.run("guests");
        assertEquals(0, r.status());
        assertTrue(r.out().lines().anyMatch("hello"::equals), r.out());
        assertTrue(r.out().lines().anyMatch("smp-boot"::equals), r.out());
    }
}
