package io.jvmm.monitor.api;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * The service's error answer, {@code {"error": {"class": ..., "desc": ...}}} as {@link ErrorMapper}
 * gives it, from a Vert.x route: the access checks and the stored OpenAPI document answer before
 * Quarkus REST, so they cannot throw into the mapper.
 */
final class RouteErrors {
    private RouteErrors() {
    }

    /** Ends the request with {@code status} and the error answer. */
    static void end(RoutingContext ctx, int status, String errorClass, String desc) {
        String body = new JsonObject().put("error", new JsonObject().put("class", errorClass).put("desc", desc))
                .encode();
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body);
    }
}
