package io.jvmm.monitor.metrics;

import io.jvmm.monitor.api.RequestOrigin;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The metrics listener ({@code jvmm.metrics-port}, {@code ./vmm serve --metrics-port}): the
 * metrics alone, on 127.0.0.1, without the access token, so Prometheus can scrape a service that
 * listens on a Unix socket (which it cannot) or that needs a token (which it need not be given).
 * Loopback only, read only, and answering only to loopback {@code Host} names, so neither the
 * network nor a web page that rebinds its name to 127.0.0.1 can read it. {@code GET /metrics} and
 * {@code GET /q/metrics}; anything else is a 404 or 405 that says what is here.
 */
@ApplicationScoped
public class MetricsListener {
    /** The only address the listener binds. */
    public static final String HOST = "127.0.0.1";

    @ConfigProperty(name = "jvmm.metrics-port")
    Optional<Integer> port;

    @Inject
    Vertx vertx;

    @Inject
    MetricsEndpoint endpoint;

    private volatile HttpServer server;

    void start(@Observes StartupEvent e) throws Exception {
        if (port.isEmpty()) {
            return;
        }
        Router router = Router.router(vertx);
        router.route().handler(this::checkHost);
        for (String path : new String[] {"/metrics", MetricsEndpoint.PATH}) {
            router.get(path).blockingHandler(endpoint::handle, false);
            router.route(path).handler(ctx -> refuse(ctx, 405, ctx.request().method() + " " + path
                    + " is not served here: the metrics listener answers GET only"));
        }
        router.route().handler(ctx -> refuse(ctx, 404, ctx.request().path()
                + " is not served here: the metrics listener serves GET /metrics only"));
        try {
            server = vertx.createHttpServer().requestHandler(router).listen(port.get(), HOST)
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException ex) {
            // No cause attached: the launcher prints the root cause's message, and this one says whose port it is.
            throw new IllegalStateException("the metrics listener cannot listen on " + HOST + ":" + port.get() + ": "
                    + ex.getCause().getMessage() + "; choose another --metrics-port");
        }
    }

    void stop(@Observes ShutdownEvent e) {
        HttpServer s = server;
        if (s != null) {
            s.close();
        }
    }

    private void checkHost(RoutingContext ctx) {
        String host = ctx.request().getHeader("Host");
        if (host != null && !RequestOrigin.LOOPBACK_NAMES.contains(RequestOrigin.hostPart(host))) {
            refuse(ctx, 403, "Host '" + host + "' is not a loopback name; the metrics listener answers to "
                    + String.join(", ", new java.util.TreeSet<>(RequestOrigin.LOOPBACK_NAMES))
                    + " only (a guard against DNS rebinding)");
            return;
        }
        ctx.next();
    }

    private static void refuse(RoutingContext ctx, int status, String why) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", "text/plain; charset=utf-8").end(why + "\n");
    }
}
