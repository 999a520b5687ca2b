package io.jvmm.monitor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.guests.BundledGuests;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input to {@code ./vmm run}: each case is one line on stderr that names the file (or the
 * option) and the problem, status 2, nothing on stdout, no stack trace. None needs KVM: input is
 * checked before a VM exists.
 */
class VmmBadInputIT {
    @TempDir
    Path dir;

    private static void assertOneLineError(Launcher.Run r, String... mustContain) {
        assertEquals(2, r.status(), "status; stderr: " + r.err());
        assertEquals("", r.out());
        assertEquals(1, r.errLines().size(), "exactly one line expected:\n" + r.err());
        String line = r.errLines().get(0);
        assertTrue(line.startsWith("jvmm: "), line);
        assertFalse(line.contains("Exception") || line.contains("\tat "), "no stack trace: " + line);
        for (String s : mustContain) {
            assertTrue(line.contains(s), "'" + s + "' missing from: " + line);
        }
    }

    private Path write(String name, byte[] bytes) throws Exception {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    private static byte[] hello() {
        return BundledGuests.image("hello").orElseThrow();
    }

    @Test
    void anUnknownCpuFeature() throws Exception {
        assertOneLineError(Launcher.run("run", "-cpu", "host,+cx17", "hello"), "unknown feature 'cx17'", "-cpu help");
    }

    @Test
    void aCpuModelOtherThanHost() throws Exception {
        assertOneLineError(Launcher.run("run", "-cpu", "qemu64", "hello"), "the model must be 'host'");
    }

    @Test
    void aMetricsPortWithoutTheMonitor() throws Exception {
        assertOneLineError(Launcher.run("run", "--metrics-port", "9464", "hello"), "--metrics-port needs --monitor");
    }

    @Test
    void cpuHelpListsTheFeatureNames() throws Exception {
        Launcher.Run r = Launcher.run("run", "-cpu", "help");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("host  what KVM supports on this host"), r.out());
        assertTrue(r.out().contains(" cx16") && r.out().contains(" avx512f") && r.out().contains(" pdpe1gb"), r.out());
    }

    @Test
    void aMissingFile() throws Exception {
        Path p = dir.resolve("nothere.elf");
        assertOneLineError(Launcher.run("run", p.toString()), p.toString(), "no such file");
    }

    @Test
    void aFileThatIsNotElf() throws Exception {
        Path p = write("kernel.exe", new byte[] {'M', 'Z', (byte) 0x90, 0, 3, 0, 0, 0});
        assertOneLineError(Launcher.run("run", p.toString()), p.toString(), "neither a Multiboot ELF, an ELF vmlinux "
                + "with a PVH entry note, nor a bzImage", "4d 5a 90 00");
    }

    @Test
    void anElfWithoutAMultibootHeader() throws Exception {
        byte[] b = hello();
        for (int i = 0; i + 4 <= Math.min(b.length, 8192); i += 4) {
            if (ByteBuffer.wrap(b, i, 4).order(ByteOrder.LITTLE_ENDIAN).getInt() == 0x1BADB002) {
                b[i] = 0;
            }
        }
        Path p = write("nomb.elf", b);
        assertOneLineError(Launcher.run("run", p.toString()), p.toString(), "without a Multiboot header");
    }

    @Test
    void anElfForArm() throws Exception {
        byte[] b = hello();
        b[18] = 40; // e_machine = EM_ARM
        b[19] = 0;
        Path p = write("arm.elf", b);
        assertOneLineError(Launcher.run("run", p.toString()), p.toString(), "ARM", "x86");
    }

    @Test
    void aSegmentThatDoesNotFitInRam() throws Exception {
        byte[] b = hello();
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int phoff = bb.getInt(28);
        bb.putInt(phoff + 20, 0x10000000); // p_memsz of the first segment: 256 MiB
        Path p = write("huge.elf", b);
        assertOneLineError(Launcher.run("run", "-m", "64M", p.toString()), p.toString(), "does not fit", "-m");
    }

    @Test
    void anUnknownBundledGuest() throws Exception {
        assertOneLineError(Launcher.run("run", "no-such-guest"), "no-such-guest", "no bundled guest and no file", "hello");
    }

    @Test
    void anInvalidSmp() throws Exception {
        assertOneLineError(Launcher.run("run", "-smp", "8,sockets=3", "hello"), "-smp", "must equal maxcpus");
        assertOneLineError(Launcher.run("run", "-smp", "0", "hello"), "-smp", "greater than zero");
        assertOneLineError(Launcher.run("run", "-smp", "4,maxcpus=2", "hello"), "more than maxcpus");
        assertOneLineError(Launcher.run("run", "-smp", "4,bogus=1", "hello"), "unknown parameter 'bogus'");
    }

    @Test
    @io.jvmm.kvm.testing.RequiresKvm
    void tooManyCpusForKvm() throws Exception {
        assertOneLineError(Launcher.run("run", "-smp", "4096", "hello"), "-smp");
    }

    @Test
    void anInvalidMemorySize() throws Exception {
        assertOneLineError(Launcher.run("run", "-m", "lots", "hello"), "-m", "64M");
        assertOneLineError(Launcher.run("run", "-m", "64T", "hello"), "-m", "at most");
    }

    @Test
    void anUnknownOption() throws Exception {
        assertOneLineError(Launcher.run("run", "--frobnicate", "hello"), "--frobnicate", "--help");
    }

    @Test
    void aKernelNamedTwice() throws Exception {
        assertOneLineError(Launcher.run("run", "-kernel", "hello", "smp-boot"), "hello", "smp-boot",
                "name the kernel once");
    }

    @Test
    void aMissingKernelFile() throws Exception {
        Path p = dir.resolve("vmlinux");
        assertOneLineError(Launcher.run("run", "-kernel", p.toString(), "-no-reboot"), p.toString(), "no such file");
    }

    @Test
    void aBzImageOfAnOldBootProtocol() throws Exception {
        byte[] b = new byte[4096];
        b[0x202] = 'H';
        b[0x203] = 'd';
        b[0x204] = 'r';
        b[0x205] = 'S';
        b[0x206] = 0x04; // protocol 2.04
        b[0x207] = 0x02;
        Path p = write("old-bzImage", b);
        assertOneLineError(Launcher.run("run", "-kernel", p.toString()), p.toString(), "boot protocol 2.04",
                "older than 2.06");
    }

    @Test
    void qemuOptionsJvmmCannotHonourSayWhatItOffers() throws Exception {
        assertOneLineError(Launcher.run("run", "-accel", "tcg", "hello"), "-accel tcg", "KVM only");
        assertOneLineError(Launcher.run("run", "-machine", "q35", "hello"), "-machine q35", "'pc'");
        assertOneLineError(Launcher.run("run", "-display", "gtk", "hello"), "-display gtk", "serial port");
        assertOneLineError(Launcher.run("run", "-vga", "std", "hello"), "-vga std", "no VGA");
        assertOneLineError(Launcher.run("run", "-serial", "pty", "hello"), "-serial pty", "stdio, none, file:PATH");
        assertOneLineError(Launcher.run("run", "-monitor", "stdio", "hello"), "-monitor stdio", "--monitor");
        assertOneLineError(Launcher.run("run", "-device", "virtio-net-pci", "hello"), "-device virtio-net-pci",
                "fixed");
        assertOneLineError(Launcher.run("run", "-device", "isa-debug-exit,iobase=0x501", "hello"), "iobase=0xf4",
                "'iobase=0x501'");
        assertOneLineError(Launcher.run("run", "-name", "Not_A_Label", "hello"), "Invalid name 'Not_A_Label'", "DNS label");
        assertOneLineError(Launcher.run("run", "-S", "hello"), "-S", "--monitor");
        assertOneLineError(Launcher.run("run", "-pidfile", dir.resolve("no/such/dir/pid").toString(), "hello"),
                "-pidfile", "does not exist");
        assertOneLineError(Launcher.run("run", "-usb", "hello"), "-usb");
    }

    @Test
    void aMissingModule() throws Exception {
        Path p = dir.resolve("missing-module.bin");
        assertOneLineError(Launcher.run("run", "-initrd", p + " arg1", "hello"), p.toString(), "no such file");
    }
}
