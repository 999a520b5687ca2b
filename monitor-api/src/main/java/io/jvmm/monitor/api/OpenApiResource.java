package io.jvmm.monitor.api;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Serves the OpenAPI document of this API (src/main/resources/openapi.yaml). Written by hand:
 * the generating extension is not available for this Quarkus release. {@code OpenApiDocumentTest}
 * checks that it lists exactly the endpoints the resources declare.
 */
@Path("/openapi")
public class OpenApiResource {
    private static final String DOC = load();

    private static String load() {
        try (InputStream in = OpenApiResource.class.getResourceAsStream("/openapi.yaml")) {
            if (in == null) {
                throw new IllegalStateException("openapi.yaml is missing from the application");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The document, as YAML. */
    @GET
    @Produces("application/yaml")
    public String document() {
        return DOC;
    }
}
