package io.jvmm.monitor.api;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Keeps the browser next door out. A web page can make a browser send requests to 127.0.0.1
 * (through a DNS name it rebinds to that address, or by a cross-origin request), so over TCP the
 * service answers only requests whose {@code Host} is a name it is reachable as: loopback names and
 * addresses, this machine's own addresses and name, the address it listens on, and
 * {@code jvmm.allowed-hosts}. A request with an {@code Origin} header (which browsers send with
 * cross-origin and state-changing requests) must come from such a host too, or from
 * {@code jvmm.allowed-origins}. Either refusal is a 403 that says why. Requests over the Unix
 * socket, which no browser can reach, are not checked.
 */
@ApplicationScoped
public class RequestOrigin {
    /** The loopback names and addresses a Host header may give, as {@link #hostPart} returns them. */
    public static final Set<String> LOOPBACK_NAMES = Set.of("localhost", "localhost.localdomain", "ip6-localhost",
            "127.0.0.1", "::1", "0:0:0:0:0:0:0:1");

    @ConfigProperty(name = "jvmm.allowed-hosts")
    Optional<List<String>> extraHosts;

    @ConfigProperty(name = "jvmm.allowed-origins")
    Optional<List<String>> extraOrigins;

    @ConfigProperty(name = "quarkus.http.host", defaultValue = "127.0.0.1")
    String listenHost;

    private Set<String> hosts;
    private Set<String> origins;

    void routes(@Observes Router router) {
        hosts = allowedHosts();
        origins = new TreeSet<>();
        extraOrigins.ifPresent(l -> l.forEach(o -> origins.add(o.trim().toLowerCase(Locale.ROOT))));
        router.route().order(Integer.MIN_VALUE).handler(this::check);
    }

    private void check(RoutingContext ctx) {
        if (ctx.request().localAddress() != null && ctx.request().localAddress().isDomainSocket()) {
            ctx.next();
            return;
        }
        String host = ctx.request().getHeader("Host");
        if (host != null && !hosts.contains(hostPart(host))) {
            refuse(ctx, "Host '" + host + "' is not a name this service is reachable as; it answers to loopback "
                    + "names and addresses, this machine's own, and jvmm.allowed-hosts (a guard against DNS "
                    + "rebinding)");
            return;
        }
        String origin = ctx.request().getHeader("Origin");
        if (origin != null && !origins.contains(origin.toLowerCase(Locale.ROOT)) && !hosts.contains(originHost(origin))) {
            refuse(ctx, "Cross-origin request from '" + origin + "' refused; allow it with jvmm.allowed-origins");
            return;
        }
        ctx.next();
    }

    private static void refuse(RoutingContext ctx, String why) {
        RouteErrors.end(ctx, 403, "Forbidden", why);
    }

    /** The host of a Host header, without its port, lower-case; IPv6 literals without brackets. */
    public static String hostPart(String header) {
        String h = header.trim().toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end < 0 ? h : h.substring(1, end);
        }
        int colon = h.lastIndexOf(':');
        return colon >= 0 && h.indexOf(':') == colon ? h.substring(0, colon) : h;
    }

    /** The host of an Origin ("http://host:port"), or "" if it has none ("null", malformed). */
    static String originHost(String origin) {
        try {
            String h = URI.create(origin.trim()).getHost();
            if (h == null) {
                return "";
            }
            h = h.toLowerCase(Locale.ROOT);
            return h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
        } catch (IllegalArgumentException e) {
            return "";
        }
    }

    private Set<String> allowedHosts() {
        Set<String> out = new TreeSet<>(LOOPBACK_NAMES);
        if (!listenHost.equals("0.0.0.0") && !listenHost.equals("::")) {
            out.add(hostPart(listenHost.contains(":") ? "[" + listenHost + "]" : listenHost));
        }
        try {
            for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (InetAddress a : Collections.list(ni.getInetAddresses())) {
                    String s = a.getHostAddress().toLowerCase(Locale.ROOT);
                    int zone = s.indexOf('%');
                    out.add(zone >= 0 ? s.substring(0, zone) : s);
                }
            }
        } catch (SocketException e) {
            // loopback names are enough
        }
        try {
            InetAddress local = InetAddress.getLocalHost();
            out.add(local.getHostName().toLowerCase(Locale.ROOT));
            out.add(local.getCanonicalHostName().toLowerCase(Locale.ROOT));
        } catch (UnknownHostException e) {
            // no name for this machine
        }
        extraHosts.ifPresent(l -> l.forEach(h -> out.add(hostPart(h))));
        return out;
    }
}
