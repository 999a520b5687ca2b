package io.jvmm.bench;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * The REST floor's peer: the JDK's own HTTP server on loopback, answering {@code GET /vms} with
 * the body jvmm's service gives with no VM ({@link #BODY}), and nothing else. Run as its own
 * process ({@code java -cp bench/target/classes io.jvmm.bench.MinimalServer PORT}) so that it is
 * measured as the service is: another JVM, the same client, the same run.
 */
public final class MinimalServer {
    /** What jvmm's {@code GET /vms} answers with no VM. */
    static final String BODY = "{\"vms\":[]}";

    private MinimalServer() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        byte[] body = BODY.getBytes(StandardCharsets.UTF_8);
        server.createContext("/vms", exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.setExecutor(Executors.newSingleThreadExecutor());
        server.start();
        System.out.println("listening on 127.0.0.1:" + port);
    }
}
