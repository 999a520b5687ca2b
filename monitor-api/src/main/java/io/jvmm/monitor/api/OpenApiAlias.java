package io.jvmm.monitor.api;

import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/** Serves the generated OpenAPI document ({@link ApiDocument}) at {@value #ALIAS} too, where it was before. */
@ApplicationScoped
public class OpenApiAlias {
    /** The document's path before it was generated. */
    static final String ALIAS = "/openapi";

    void routes(@Observes Router router) {
        router.get(ALIAS).handler(ctx -> ctx.reroute("/q/openapi"));
    }
}
