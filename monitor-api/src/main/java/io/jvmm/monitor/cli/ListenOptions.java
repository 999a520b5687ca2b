package io.jvmm.monitor.cli;

import io.jvmm.monitor.api.AccessControl;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Where the service listens: {@code --host}, {@code --port}, {@code --socket}, {@code --token-file},
 * and the metrics listener's {@code --metrics-port}.
 */
final class ListenOptions {
    @Option(names = "--host", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "Address to listen on (default: ${DEFAULT-VALUE}). Any address other than loopback needs an "
                    + "access token.")
    String host;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "8080",
            description = "TCP port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--socket", paramLabel = "PATH",
            description = "Listen on this Unix domain socket instead of TCP (mode 0600).")
    Path socket;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "Require 'Authorization: Bearer <token>' with the token in FILE (or set JVMM_ACCESS_TOKEN).")
    Path tokenFile;

    @Option(names = "--metrics-port", paramLabel = "PORT",
            description = "Also serve the metrics alone (GET /metrics) on 127.0.0.1:PORT, without the access token, for "
                    + "Prometheus; with --socket it is the only way to scrape the service.")
    Integer metricsPort;

    /** Problem with the options, or null; checked before anything starts. */
    String validate() {
        if (metricsPort != null && (metricsPort < 1 || metricsPort > 65535)) {
            return "Invalid --metrics-port " + metricsPort + ": give 1-65535";
        }
        if (metricsPort != null && socket == null && metricsPort == port) {
            return "--metrics-port " + metricsPort + " is the service's --port; give the metrics listener a port of its own";
        }
        if (socket == null && (port < 1 || port > 65535)) {
            return "Invalid --port " + port + ": give 1-65535";
        }
        if (socket != null) {
            Path dir = socket.toAbsolutePath().getParent();
            if (dir == null || !Files.isDirectory(dir)) {
                return "--socket " + socket + ": directory " + dir + " does not exist";
            }
            if (Files.exists(socket)) {
                return "--socket " + socket + " already exists; remove it or choose another path";
            }
        }
        String token;
        try {
            token = token();
        } catch (IOException e) {
            return "--token-file " + tokenFile + " cannot be read: " + e.getMessage();
        }
        if (tokenFile != null && token.isBlank()) {
            return "--token-file " + tokenFile + " is empty";
        }
        if (socket == null && !AccessControl.isLoopback(host) && token.isBlank()) {
            return "Listening on " + host + " exposes the VMs to the network: give an access token (--token-file "
                    + "FILE or JVMM_ACCESS_TOKEN), or listen on 127.0.0.1 or a --socket";
        }
        return null;
    }

    private String token() throws IOException {
        if (tokenFile != null) {
            return Files.readString(tokenFile, StandardCharsets.UTF_8).trim();
        }
        String env = System.getenv("JVMM_ACCESS_TOKEN");
        return env == null ? "" : env.trim();
    }

    /** Sets the Quarkus configuration for these options; returns where the service will be. */
    String apply() throws IOException {
        if (metricsPort != null) {
            System.setProperty("jvmm.metrics-port", Integer.toString(metricsPort));
        }
        String t = token();
        if (!t.isBlank()) {
            System.setProperty("jvmm.access-token", t);
        }
        if (socket != null) {
            System.setProperty("quarkus.http.domain-socket", socket.toAbsolutePath().toString());
            System.setProperty("quarkus.http.domain-socket-enabled", "true");
            System.setProperty("quarkus.http.host-enabled", "false");
            System.setProperty("quarkus.vertx.prefer-native-transport", "true");
            System.setProperty("jvmm.socket", socket.toAbsolutePath().toString());
            return "unix:" + socket.toAbsolutePath();
        }
        System.setProperty("quarkus.http.host", host);
        System.setProperty("quarkus.http.port", Integer.toString(port));
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
