package io.jvmm.monitor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.core.testing.Qemu;
import io.jvmm.core.testing.RequiresQemu;
import io.jvmm.kvm.testing.RequiresKvm;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
    void underQmpTheSerialPortAndThePidFileGoWhereAsked(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("com1.log");
        Path pid = dir.resolve("vmm.pid");
        Launcher.Run r = Launcher.run("run", "-qmp", "unix:" + dir.resolve("qmp.sock") + ",server=on,wait=off",
                "-serial", "file:" + log, "-pidfile", pid.toString(), "-append", "exit=42", "hello");
        assertEquals(42, r.status(), r.err());
        assertEquals("", r.out(), "COM1 went to the file, not to stdout");
        assertEquals("hello: Hello from a jvmm guest\n", java.nio.file.Files.readString(log));
        assertFalse(java.nio.file.Files.exists(pid), "the pid file is removed at exit");
        Launcher.Run none = Launcher.run("run", "-qmp", "unix:" + dir.resolve("qmp2.sock") + ",server=on,wait=off",
                "-serial", "none", "hello");
        assertEquals(0, none.status(), none.err());
        assertEquals("", none.out());
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
    void theProjectsQemuCommandLinesRunUnchanged(@TempDir Path dir) throws Exception {
        Path image = io.jvmm.guests.BundledGuests.extract("smp-boot", dir);
        List<String> args = new ArrayList<>(List.of("run"));
        args.addAll(Qemu.guestArguments(image, "4", "64M", "timeout_ms=20000"));
        Launcher.Run r = Launcher.run(args.toArray(String[]::new));
        assertEquals(0, r.status(), String.join(" ", args) + "\n" + r.out() + r.err());
        assertTrue(r.out().contains("smp-boot: PASS"), r.out());
        int stdio = args.indexOf("stdio");
        assertEquals("-serial", args.get(stdio - 1), "the project's command line sends COM1 to stdio");
        args.subList(stdio - 1, stdio + 1).clear(); // one COM1: to a file instead
        args.addAll(List.of("-name", "pasted", "-nographic", "-vga", "none", "-machine", "pc,accel=kvm", "-accel",
                "kvm", "-pidfile", dir.resolve("vmm.pid").toString(), "-serial", "file:" + dir.resolve("com1.log")));
        r = Launcher.run(args.toArray(String[]::new));
        assertEquals(0, r.status(), r.err());
        assertEquals("", r.out(), "the serial port went to the file");
        assertTrue(java.nio.file.Files.readString(dir.resolve("com1.log")).contains("smp-boot: PASS"));
        assertFalse(java.nio.file.Files.exists(dir.resolve("vmm.pid")), "the pid file is removed at exit");
    }

    @Test
    void aGuestThatPowersOffOrResetsUnderNoRebootSaysSo() throws Exception {
        Launcher.Run r = Launcher.run("run", "-smp", "2", "-no-reboot", "-append", "via=3", "reset-cycle");
        assertEquals(0, r.status(), r.err());
        assertEquals("jvmm: vcpu-0 requested a reset; -no-reboot ends the run instead\n", r.err());
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
