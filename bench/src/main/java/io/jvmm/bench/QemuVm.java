package io.jvmm.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * QEMU running a Multiboot guest the way the project compares against it ({@code -enable-kvm
 * -cpu host,-arch-capabilities -display none -serial stdio -device isa-debug-exit,...
 * -no-reboot -m 64M -kernel IMAGE}), optionally with its HMP monitor on a Unix socket, and a
 * client for that monitor.
 */
final class QemuVm implements AutoCloseable {
    static final String BINARY = "qemu-system-x86_64";
    private static final Pattern ESCAPES = Pattern.compile("\u001b\\[[0-9;]*[A-Za-z]");
    private static final byte[] PROMPT = "(qemu) ".getBytes(StandardCharsets.US_ASCII);

    final Process process;
    final long startNanos;
    private final StringBuffer serial = new StringBuffer();
    private final Thread reader;
    private SocketChannel monitor;
    private final ByteBuffer buf = ByteBuffer.allocate(1 << 20);

    /** The QEMU command line for {@code image} with {@code cpus} vCPUs; {@code monitorSocket} may be null. */
    static List<String> command(Path image, int cpus, String append, Path monitorSocket) {
        List<String> cmd = new ArrayList<>(List.of(BINARY, "-enable-kvm", "-cpu", "host,-arch-capabilities",
                "-display", "none", "-serial", "stdio", "-monitor",
                monitorSocket == null ? "none" : "unix:" + monitorSocket + ",server,nowait",
                "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-no-reboot", "-m", "64M",
                // Thread names (its vCPUs "CPU N/KVM"), so their CPU time can be told from the rest.
                "-name", "bench,debug-threads=on",
                "-smp", Integer.toString(cpus), "-kernel", image.toString()));
        if (append != null) {
            cmd.add("-append");
            cmd.add(append);
        }
        return cmd;
    }

    QemuVm(List<String> cmd, Path stderrLog) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(stderrLog.toFile());
        startNanos = System.nanoTime();
        process = pb.start();
        process.getOutputStream().close();
        InputStream in = process.getInputStream();
        reader = new Thread(() -> {
            byte[] b = new byte[8192];
            try {
                int n;
                while ((n = in.read(b)) > 0) {
                    serial.append(new String(b, 0, n, StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                // process ended
            }
        }, "qemu-serial");
        reader.setDaemon(true);
        reader.start();
    }

    long pid() {
        return process.pid();
    }

    String serial() {
        return serial.toString();
    }

    void awaitSerial(String text, Duration wait) throws Exception {
        Duration timeout = Env.patience(wait);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!serial.toString().contains(text)) {
            if (!process.isAlive()) {
                throw new IOException("QEMU exited with " + process.exitValue() + " before printing '" + text
                        + "'; serial: " + serial);
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("QEMU printed no '" + text + "' within " + timeout.toSeconds() + " s; serial: "
                        + serial);
            }
            Thread.sleep(20);
        }
    }

    /** Connects to the HMP socket (retrying until QEMU has created it) and reads the greeting. */
    void connectMonitor(Path socket, Duration wait) throws Exception {
        long deadline = System.nanoTime() + Env.patience(wait).toNanos();
        while (true) {
            try {
                SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                ch.connect(UnixDomainSocketAddress.of(socket));
                monitor = ch;
                break;
            } catch (IOException e) {
                if (System.nanoTime() > deadline || !process.isAlive()) {
                    throw new IOException("cannot connect to QEMU's monitor at " + socket, e);
                }
                Thread.sleep(20);
            }
        }
        readToPrompt();
    }

    /**
     * Writes {@code commandLine} and reads until the next {@code (qemu) } prompt; returns the
     * output with QEMU's echo of the command and its terminal escape sequences removed.
     */
    String hmp(String commandLine) throws IOException {
        ByteBuffer cmd = ByteBuffer.wrap((commandLine + "\n").getBytes(StandardCharsets.US_ASCII));
        while (cmd.hasRemaining()) {
            monitor.write(cmd);
        }
        String raw = readToPrompt();
        String text = ESCAPES.matcher(raw).replaceAll("").replace("\r", "");
        int nl = text.indexOf('\n');
        return nl < 0 ? "" : text.substring(nl + 1);
    }

    private String readToPrompt() throws IOException {
        buf.clear();
        while (true) {
            if (monitor.read(buf) < 0) {
                throw new IOException("QEMU closed its monitor");
            }
            int n = buf.position();
            if (n >= PROMPT.length && endsWithPrompt(n)) {
                return new String(buf.array(), 0, n - PROMPT.length, StandardCharsets.UTF_8);
            }
            if (!buf.hasRemaining()) {
                throw new IOException("monitor answer larger than " + buf.capacity() + " bytes");
            }
        }
    }

    private boolean endsWithPrompt(int n) {
        byte[] a = buf.array();
        for (int i = 0; i < PROMPT.length; i++) {
            if (a[n - PROMPT.length + i] != PROMPT[i]) {
                return false;
            }
        }
        return true;
    }

    /** Waits for QEMU to exit by itself; returns its status, or -1 after killing it on timeout. */
    int waitFor(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            process.waitFor();
            return -1;
        }
        return process.exitValue();
    }

    @Override
    public void close() {
        try {
            if (monitor != null) {
                monitor.close();
            }
        } catch (IOException e) {
            // closing anyway
        }
        Env.stop(process, 10);
    }

    private static Path socketDir;

    /**
     * A path for a monitor socket named {@code name}, in a directory of the bench's own under the
     * system's temporary directory: a Unix socket's path must be short (108 bytes at most) and on a
     * file system that has sockets, which the work directory need not be (under
     * scripts/nested-kvm it is 9p).
     */
    static synchronized Path monitorSocket(String name) throws IOException {
        if (socketDir == null) {
            socketDir = Files.createTempDirectory("jvmm-bench");
            socketDir.toFile().deleteOnExit();
        }
        Path p = socketDir.resolve(name + ".sock");
        deleteQuietly(p);
        return p;
    }

    static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // best effort
        }
    }
}
