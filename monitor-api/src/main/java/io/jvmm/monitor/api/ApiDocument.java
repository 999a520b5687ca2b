package io.jvmm.monitor.api;

import io.quarkus.smallrye.openapi.OpenApiFilter;
import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.annotations.Components;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;

/**
 * The OpenAPI document, generated from the resources by SmallRye OpenAPI and served at
 * {@code /q/openapi} (and {@link OpenApiAlias}): what is said once for the whole API (the bearer
 * token, the error answer) is said here, on the application class, where SmallRye reads it; each
 * resource method names its own summary and error statuses. {@link CommonErrors} adds the two
 * answers any request can get from the service's access checks. The class declares no path and
 * no resources: every resource is served at its own path, as without it.
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

    /**
     * Adds 401 and 403, which every operation can answer, to every operation. Run when the build
     * makes the document, so the service serves it as stored and parses nothing at start-up.
     */
    @OpenApiFilter(OpenApiFilter.RunStage.BUILD)
    public static class CommonErrors implements OASFilter {
        @Override
        public Operation filterOperation(Operation operation) {
            APIResponses responses = operation.getResponses();
            if (responses == null) {
                responses = OASFactory.createAPIResponses();
                operation.setResponses(responses);
            }
            add(responses, "401", "The service needs an access token and the request had none, or a wrong one.");
            add(responses, "403", "The Host or Origin header is not one the service answers to (a guard against "
                    + "DNS rebinding and cross-origin requests), or, for a kernel, the path leaves the image directory.");
            return operation;
        }

        private static void add(APIResponses responses, String code, String why) {
            if (responses.getAPIResponse(code) == null) {
                responses.addAPIResponse(code, OASFactory.createAPIResponse().ref("Error").description(why));
            }
        }
    }
}
