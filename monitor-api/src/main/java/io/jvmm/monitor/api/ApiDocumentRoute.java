package io.jvmm.monitor.api;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Locale;

/**
 * Serves the stored OpenAPI document at {@value #PATH} (and at {@value #ALIAS}, where it was
 * first): YAML unless {@code ?format=json} or an {@code Accept: application/json} asks for JSON,
 * as SmallRye OpenAPI serves it. The document is generated from the resources' annotations by the
 * tests and stored in {@value #STORED}{@code .json} and {@code .yaml} ({@code OpenApiDocumentTest}
 * fails when it no longer matches the resources and says how to store it again); serving it as
 * bytes read once at start-up keeps the OpenAPI model, its parsers and the class index out of the
 * running service.
 */
@ApplicationScoped
public class ApiDocumentRoute {
    /** Where the document is served. */
    public static final String PATH = "/q/openapi";
    /** The document's first path, still served. */
    public static final String ALIAS = "/openapi";
    /** The stored document on the class path, without its extension. */
    public static final String STORED = "META-INF/jvmm/openapi";

    private static final String YAML = "application/yaml;charset=UTF-8";
    private static final String JSON = "application/json;charset=UTF-8";

    void routes(@Observes Router router) {
        Buffer yaml = Buffer.buffer(stored("yaml"));
        Buffer json = Buffer.buffer(stored("json"));
        for (String path : new String[] {PATH, ALIAS}) {
            router.get(path).handler(ctx -> serve(ctx, yaml, json));
            router.route(path).handler(ctx -> {
                ctx.response().putHeader("Allow", "GET");
                refuse(ctx, 405, ctx.request().method() + " is not allowed on " + path + "; it takes GET");
            });
        }
    }

    private static void serve(RoutingContext ctx, Buffer yaml, Buffer json) {
        String format = ctx.request().getParam("format");
        boolean asJson;
        if (format != null) {
            switch (format.toLowerCase(Locale.ROOT)) {
                case "json" -> asJson = true;
                case "yaml" -> asJson = false;
                default -> {
                    refuse(ctx, 400, "Unknown format '" + format + "': give format=json or format=yaml");
                    return;
                }
            }
        } else {
            String accept = ctx.request().getHeader("Accept");
            asJson = accept != null && accept.contains("application/json");
        }
        ctx.response().putHeader("Content-Type", asJson ? JSON : YAML).end(asJson ? json : yaml);
    }

    private static void refuse(RoutingContext ctx, int status, String why) {
        RouteErrors.end(ctx, status, "GenericError", why);
    }

    private static byte[] stored(String extension) {
        String name = STORED + "." + extension;
        try (InputStream in = ApiDocumentRoute.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("The OpenAPI document " + name + " is missing from the build");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the OpenAPI document " + name, e);
        }
    }
}
