package io.jvmm.monitor.qmp;

import io.jvmm.monitor.service.ManagedVm;
import io.jvmm.monitor.service.Monitor;
import io.jvmm.monitor.service.ServiceEvents;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A VM's QMP socket: a Unix domain socket (mode 0600, so its owner's permissions decide who may
 * connect) that accepts any number of clients, each a {@link QmpSession} on its own daemon thread.
 * Closing it removes the socket file; sessions end with the VM or their client.
 */
public final class QmpServer implements AutoCloseable {
    private final Path path;
    private final ServerSocketChannel server;
    private final Thread acceptor;
    private final java.util.concurrent.atomic.AtomicInteger inFlight;

    private QmpServer(Path path, ServerSocketChannel server, Thread acceptor,
                      java.util.concurrent.atomic.AtomicInteger inFlight) {
        this.path = path;
        this.server = server;
        this.acceptor = acceptor;
        this.inFlight = inFlight;
    }

    /**
     * Listens at {@code path} for QMP clients of {@code vm}.
     *
     * @throws IOException if the socket cannot be made there (it exists, or its directory does not)
     */
    public static QmpServer start(Path path, ManagedVm vm, Monitor monitor, ServiceEvents events, String version)
            throws IOException {
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.bind(UnixDomainSocketAddress.of(path));
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
        Thread t = new Thread(() -> acceptLoop(ch, vm, monitor, events, version, inFlight), "qmp-" + vm.id());
        t.setDaemon(true);
        QmpServer s = new QmpServer(path, ch, t, inFlight);
        t.start();
        return s;
    }

    private static void acceptLoop(ServerSocketChannel ch, ManagedVm vm, Monitor monitor, ServiceEvents events,
                                   String version, java.util.concurrent.atomic.AtomicInteger inFlight) {
        while (ch.isOpen()) {
            SocketChannel client;
            try {
                client = ch.accept();
            } catch (IOException e) {
                return; // closed
            }
            Thread t = new Thread(() -> {
                try (SocketChannel c = client) {
                    new QmpSession(vm, monitor, events.log(), Channels.newOutputStream(c), version, inFlight)
                            .run(Channels.newInputStream(c));
                } catch (IOException | RuntimeException e) {
                    // the client went away
                }
            }, "qmp-" + vm.id() + "-session");
            t.setDaemon(true);
            t.start();
        }
    }

    /** Waits up to {@code timeoutMs} for the commands being answered (such as the quit that ended the VM) to be answered. */
    public void awaitAnswered(long timeoutMs) {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000;
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Where the socket is. */
    public Path path() {
        return path;
    }

    @Override
    public void close() {
        try {
            server.close();
            acceptor.interrupt();
        } catch (IOException e) {
            // nothing to do
        } finally {
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                // best effort
            }
        }
    }
}
