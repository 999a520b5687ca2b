package io.jvmm.monitor.api;

import io.quarkus.runtime.StartupEvent;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Who may talk to the service. By default it listens on 127.0.0.1 only (or on a Unix socket whose
 * file permissions decide), and needs no token. Listening on any other address requires an access
 * token ({@code jvmm.access-token}, e.g. from the JVMM_ACCESS_TOKEN environment variable or
 * {@code ./vmm serve --token-file}); every request, /q/metrics and /q/health included, must then
 * carry {@code Authorization: Bearer <token>}. Without a token such a service refuses to start.
 */
@ApplicationScoped
public class AccessControl {
    @ConfigProperty(name = "jvmm.access-token")
    Optional<String> token;

    @ConfigProperty(name = "quarkus.http.host", defaultValue = "127.0.0.1")
    String host;

    @ConfigProperty(name = "quarkus.http.host-enabled", defaultValue = "true")
    boolean tcpEnabled;

    /** Whether {@code host} only reaches this machine. */
    public static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    void check(@Observes StartupEvent e) {
        if (tcpEnabled && !isLoopback(host) && token.filter(t -> !t.isBlank()).isEmpty()) {
            throw new IllegalStateException("Refusing to listen on " + host + " without an access token: set "
                    + "JVMM_ACCESS_TOKEN (or --token-file), or listen on 127.0.0.1 or a Unix socket");
        }
    }

    void routes(@Observes Router router) {
        Optional<String> t = token.filter(s -> !s.isBlank());
        if (t.isEmpty()) {
            return;
        }
        byte[] expected = ("Bearer " + t.get()).getBytes(StandardCharsets.UTF_8);
        router.route().order(Integer.MIN_VALUE + 1).handler(ctx -> { // after RequestOrigin
            String given = ctx.request().getHeader("Authorization");
            if (given != null && MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), expected)) {
                ctx.next();
                return;
            }
            ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"jvmm\"");
            RouteErrors.end(ctx, 401, "Unauthorized",
                    "This service needs an access token: send 'Authorization: Bearer <token>'");
        });
    }
}
