package io.jvmm.monitor.cli;

import io.jvmm.core.devices.SerialSink;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * The QEMU options a command line pasted from a guide carries, taken with QEMU's meaning where jvmm
 * has one and as documented no-ops where it has none: {@code -enable-kvm}, {@code -accel kvm},
 * {@code -machine pc[,accel=kvm]}, {@code -nographic}, {@code -display none}, {@code -vga none},
 * {@code -serial stdio|none|file:PATH|unix:PATH}, {@code -monitor none}, {@code -device
 * isa-debug-exit[,iobase=0xf4,iosize=0x04]}, {@code -qmp unix:PATH,server,nowait}, {@code -name},
 * {@code -pidfile}. A value jvmm cannot
 * honour is one line naming the option and what jvmm offers instead ({@link #validate}).
 */
final class QemuCompatOptions {
    @Option(names = "-enable-kvm", description = "Accepted: jvmm always runs on KVM.")
    boolean enableKvm;

    @Option(names = "-accel", paramLabel = "kvm[,...]", description = "Accepted for kvm: jvmm always runs on KVM.")
    String accel;

    @Option(names = {"-machine", "-M"}, paramLabel = "[type=]pc[,accel=kvm]",
            description = "Accepted for pc: jvmm builds one machine, a PC without PCI.")
    String machine;

    @Option(names = "-nographic", description = "Accepted: jvmm has no display; the serial port is on stdio.")
    boolean nographic;

    @Option(names = "-display", paramLabel = "none", description = "Accepted for none: jvmm has no display.")
    String display;

    @Option(names = "-vga", paramLabel = "none", description = "Accepted for none: jvmm has no VGA.")
    String vga;

    @Option(names = "-serial", paramLabel = "stdio|none|file:PATH|unix:PATH", defaultValue = "stdio",
            description = "Where COM1 goes, as QEMU's -serial (default: ${DEFAULT-VALUE}; unix: connects as a client).")
    String serial;

    @Option(names = "-monitor", paramLabel = "none",
            description = "Accepted for none: jvmm's monitor is the REST API (--monitor).")
    String monitor;

    @Option(names = "-device", paramLabel = "isa-debug-exit[,iobase=0xf4,iosize=0x04]",
            description = "Accepted for isa-debug-exit at 0xf4, which every jvmm machine has.")
    List<String> devices = new ArrayList<>();

    @Option(names = "-qmp", paramLabel = "unix:PATH,server=on,wait=off",
            description = "Serve QMP on a Unix socket at PATH (mode 0600), as QEMU's -qmp; nowait only.")
    String qmp;

    @Option(names = "-name", paramLabel = "NAME",
            description = "The VM's name (a DNS label): its label in metrics, and its name in the monitor.")
    String name;

    @Option(names = "-pidfile", paramLabel = "FILE", description = "Write the process id to FILE; removed at exit.")
    Path pidfile;

    /** The problem with these options, or null; checked before anything starts. */
    String validate() {
        if (accel != null && !accel.toLowerCase(Locale.ROOT).matches("kvm(,.*)?")) {
            return "-accel " + accel + ": jvmm runs guests on KVM only; drop -accel or give -accel kvm";
        }
        if (machine != null) {
            for (String part : machine.split(",")) {
                String p = part.trim();
                boolean ok = p.equals("pc") || p.equals("type=pc") || p.equals("accel=kvm") || p.startsWith("pc-i440fx");
                if (!ok) {
                    return "-machine " + machine + ": jvmm builds one machine type, a PC without PCI ('pc'), on KVM; "
                            + "'" + p + "' is not available; drop -machine or give -machine pc";
                }
            }
        }
        if (display != null && !display.equals("none")) {
            return "-display " + display + ": jvmm has no display; the guest's console is its serial port "
                    + "(-display none, or leave it out)";
        }
        if (vga != null && !vga.equals("none")) {
            return "-vga " + vga + ": jvmm has no VGA; the guest's console is its serial port (-vga none)";
        }
        if (!serial.equals("stdio") && !serial.equals("none") && !serial.startsWith("file:")
                && !serial.startsWith("unix:")) {
            return "-serial " + serial + ": jvmm offers stdio, none, file:PATH and unix:PATH";
        }
        if (monitor != null && !monitor.equals("none")) {
            return "-monitor " + monitor + ": jvmm's monitor is its REST API; use --monitor (see ./vmm run --help)";
        }
        for (String d : devices) {
            String problem = checkDevice(d);
            if (problem != null) {
                return problem;
            }
        }
        if (qmp != null) {
            String problem = checkQmp();
            if (problem != null) {
                return problem;
            }
        }
        if (pidfile != null) {
            Path dir = pidfile.toAbsolutePath().getParent();
            if (dir == null || !Files.isDirectory(dir)) {
                return "-pidfile " + pidfile + ": directory " + dir + " does not exist";
            }
        }
        return null;
    }

    private String checkQmp() {
        String[] parts = qmp.split(",");
        if (!parts[0].startsWith("unix:") || parts[0].length() == "unix:".length()) {
            return "-qmp " + qmp + ": jvmm serves QMP on a Unix socket only: -qmp unix:PATH,server=on,wait=off";
        }
        boolean server = false;
        boolean nowait = false;
        for (int i = 1; i < parts.length; i++) {
            switch (parts[i]) {
                case "server", "server=on" -> server = true;
                case "nowait", "wait=off" -> nowait = true;
                default -> {
                    return "-qmp " + qmp + ": '" + parts[i] + "' is not supported; jvmm takes server and nowait";
                }
            }
        }
        if (!server || !nowait) {
            return "-qmp " + qmp + ": jvmm listens (server) and does not wait for a client (nowait); add what is "
                    + "missing, and -S to start the guest paused until a client continues it";
        }
        Path dir = qmpPath().toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            return "-qmp " + qmp + ": directory " + dir + " does not exist";
        }
        if (Files.exists(qmpPath())) {
            return "-qmp " + qmp + ": " + qmpPath() + " already exists; remove it or choose another path";
        }
        return null;
    }

    /** Where -qmp asks for the QMP socket, or null. */
    Path qmpPath() {
        return qmp == null ? null : Path.of(qmp.split(",")[0].substring("unix:".length()));
    }

    private static String checkDevice(String d) {
        String[] parts = d.split(",");
        if (!parts[0].equals("isa-debug-exit")) {
            return "-device " + parts[0] + ": jvmm's devices are fixed (COM1, isa-debug-exit at 0xf4, the PC's "
                    + "platform devices; see docs/design.md) and cannot be added; drop -device " + parts[0];
        }
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].toLowerCase(Locale.ROOT);
            if (!p.matches("iobase=(0x0*f4|244)|iosize=(0x0*4|4)")) {
                return "-device " + d + ": jvmm's isa-debug-exit is at iobase=0xf4 with iosize=0x04; '" + parts[i]
                        + "' cannot be changed";
            }
        }
        return null;
    }

    /** Whether the serial port is the terminal (then stdin goes to the guest too). */
    boolean serialOnStdio() {
        return serial.equals("stdio");
    }

    /** Opens where COM1 goes. */
    SerialTarget openSerial() throws IOException {
        if (serial.equals("stdio")) {
            return new SerialTarget(new StdoutSerial());
        }
        if (serial.equals("none")) {
            return new SerialTarget(b -> { }, () -> { });
        }
        OutputStream out;
        if (serial.startsWith("file:")) {
            out = Files.newOutputStream(Path.of(serial.substring("file:".length())));
        } else {
            SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(serial.substring("unix:".length())));
            out = Channels.newOutputStream(ch);
        }
        OutputStream buffered = new BufferedOutputStream(out, 8192);
        return new SerialTarget(b -> {
            try {
                buffered.write(b);
                if (b == '\n') {
                    buffered.flush();
                }
            } catch (IOException e) {
                // the file or socket went away: the guest runs on, its output is dropped
            }
        }, () -> {
            try {
                buffered.close();
            } catch (IOException e) {
                // nothing left to do
            }
        });
    }

    /** Writes the pid file, if asked for; {@link #removePidfile} deletes it. */
    void writePidfile() throws IOException {
        if (pidfile != null) {
            Files.writeString(pidfile, ProcessHandle.current().pid() + "\n");
        }
    }

    void removePidfile() {
        if (pidfile != null) {
            try {
                Files.deleteIfExists(pidfile);
            } catch (IOException e) {
                // best effort, as QEMU's
            }
        }
    }

    /** A serial sink and how to close it. */
    record SerialTarget(SerialSink sink, Runnable closer) implements AutoCloseable {
        SerialTarget(StdoutSerial s) {
            this(s, s::close);
        }

        @Override
        public void close() {
            closer.run();
        }
    }
}
