package io.jvmm.monitor.api;

import io.quarkus.smallrye.openapi.OpenApiFilter;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;

/**
 * Adds 401 and 403, which every operation can answer (the service's access checks), to every
 * operation of the generated OpenAPI document. It lives with the tests because the document is
 * generated there ({@link OpenApiDocumentTest}); the service serves the stored result.
 */
@OpenApiFilter(OpenApiFilter.RunStage.BUILD)
public class CommonErrors implements OASFilter {
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
