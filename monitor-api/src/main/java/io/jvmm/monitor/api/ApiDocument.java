package io.jvmm.monitor.api;

import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.Components;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;

/**
 * What the OpenAPI document says once for the whole API (the bearer token, the error answer), on
 * the application class, where SmallRye OpenAPI reads it; each resource method names its own
 * summary and error statuses. The document is generated from these annotations by the tests
 * (with {@code CommonErrors}, a test-source filter that adds the two answers any request can get
 * from the service's access checks) and stored in {@code META-INF/jvmm/}; {@link ApiDocumentRoute}
 * serves it. The class declares no path and no resources: every resource is served at its own
 * path, as without it.
 */
@OpenAPIDefinition(
        info = @Info(title = "jvmm monitor API", version = "0.1.0", description = "Owns KVM virtual machines and lets "
                + "operators and tools watch and steer them while they run. The HMP endpoint takes the same command "
                + "lines as QEMU's human monitor and answers with the same text; a register read takes "
                + "out of the guest only the vCPUs it reads (all at once only for 'info registers -a --snapshot') "
                + "and writes nothing back. Every error is {\"error\": {\"class\": ..., "
                + "\"desc\": ...}} with a 4xx status for bad input."),
        components = @Components(responses = @APIResponse(name = "Error", description = "The request was refused; "
                + "desc says why and what to do.", content = @Content(mediaType = "application/json",
                schema = @Schema(implementation = Dtos.Error.class)))),
        security = @SecurityRequirement(name = "bearer"))
@SecurityScheme(securitySchemeName = "bearer", type = SecuritySchemeType.HTTP, scheme = "bearer",
        description = "Needed when the service was started with an access token (./vmm serve --token-file, or "
                + "JVMM_ACCESS_TOKEN): 'Authorization: Bearer <token>' on every request.")
public class ApiDocument extends Application {
}
