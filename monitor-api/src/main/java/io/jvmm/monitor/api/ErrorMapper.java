package io.jvmm.monitor.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.jvmm.core.boot.BootImageException;
import io.jvmm.core.machine.ConfigException;
import io.jvmm.core.machine.InvalidStateException;
import io.jvmm.core.vcpu.VcpuStoppedException;
import io.jvmm.core.vcpu.VcpuTimeoutException;
import io.jvmm.monitor.service.MonitorCommandException;
import io.jvmm.monitor.service.ServiceException;
import io.jvmm.monitor.service.UnknownVmException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.Set;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The one place errors become HTTP answers, as {"error": {"class": ..., "desc": ...}}: bad input
 * is a 4xx whose message says what was wrong and what is valid; a refused state change is 409; a
 * vCPU that did not answer in time is 503. A 500 means a defect in the service, and is logged.
 */
public class ErrorMapper {
    private static final Logger LOG = Logger.getLogger(ErrorMapper.class);

    private static Response answer(int status, String errorClass, String desc) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(Dtos.Error.of(errorClass, desc)).build();
    }

    @ServerExceptionMapper(UnknownVmException.class)
    public Response unknownVm(UnknownVmException e) {
        return answer(404, "NotFound", e.getMessage());
    }

    @ServerExceptionMapper(MonitorCommandException.class)
    public Response badCommand(MonitorCommandException e) {
        return answer(400, e.errorClass(), e.getMessage());
    }

    @ServerExceptionMapper(InvalidStateException.class)
    public Response wrongState(InvalidStateException e) {
        return answer(409, "InvalidState", e.getMessage());
    }

    /** A vCPU thread ended under a request (the VM ended while it was being served). */
    @ServerExceptionMapper(VcpuStoppedException.class)
    public Response vcpuStopped(VcpuStoppedException e) {
        return answer(409, "InvalidState", e.getMessage() + "; the VM ended while the command ran: see GET /vms/{id}");
    }

    @ServerExceptionMapper(ConfigException.class)
    public Response badConfig(ConfigException e) {
        return answer(400, "GenericError", e.getMessage());
    }

    @ServerExceptionMapper(BootImageException.class)
    public Response badImage(BootImageException e) {
        return answer(400, "GenericError", e.getMessage());
    }

    @ServerExceptionMapper(ServiceException.class)
    public Response refused(ServiceException e) {
        return answer(e.status(), e.errorClass(), e.getMessage());
    }

    @ServerExceptionMapper(VcpuTimeoutException.class)
    public Response timeout(VcpuTimeoutException e) {
        LOG.warn(e.getMessage());
        return answer(503, "Timeout", e.getMessage());
    }

    @ServerExceptionMapper(UnrecognizedPropertyException.class)
    public Response unknownField(UnrecognizedPropertyException e) {
        return badJson(e);
    }

    @ServerExceptionMapper(MismatchedInputException.class)
    public Response wrongType(MismatchedInputException e) {
        return badJson(e);
    }

    @ServerExceptionMapper(JsonProcessingException.class)
    public Response badJson(JsonProcessingException e) {
        if (e instanceof UnrecognizedPropertyException u) {
            String known = u.getKnownPropertyIds().stream().map(Object::toString).sorted()
                    .collect(Collectors.joining(", "));
            return answer(400, "GenericError", "Unknown field '" + u.getPropertyName() + "' in the JSON body; valid "
                    + "fields: " + known);
        }
        if (e instanceof MismatchedInputException m && m.getPath() != null && !m.getPath().isEmpty()) {
            String field = m.getPath().get(m.getPath().size() - 1).getFieldName();
            return answer(400, "GenericError", "Field '" + field + "' has the wrong type: "
                    + e.getOriginalMessage().split("\n")[0]);
        }
        return answer(400, "GenericError", "Malformed JSON body: " + e.getOriginalMessage().split("\n")[0]
                + "; send a JSON object, e.g. {\"command-line\": \"info status\"}");
    }

    @ServerExceptionMapper(WebApplicationException.class)
    public Response web(WebApplicationException e, UriInfo uri, Request request) {
        int status = e.getResponse().getStatus();
        for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
            if (c instanceof JsonProcessingException j) {
                return badJson(j);
            }
        }
        Set<String> allowed = status == 404 || status == 405 ? Endpoints.methodsOf("/" + uri.getPath().replaceFirst("^/", ""))
                : Set.of();
        if (!allowed.isEmpty() && !allowed.contains(request.getMethod())) {
            return Response.status(405).type(MediaType.APPLICATION_JSON).header("Allow", String.join(", ", allowed))
                    .entity(Dtos.Error.of("GenericError", request.getMethod() + " is not allowed on /"
                            + uri.getPath().replaceFirst("^/", "") + "; it takes " + String.join(", ", allowed)
                            + " (see /q/openapi)")).build();
        }
        String desc = switch (status) {
            case 404 -> "No such endpoint: /" + uri.getPath().replaceFirst("^/", "") + "; the API is described at "
                    + "/q/openapi";
            case 405 -> "Method not allowed on /" + uri.getPath().replaceFirst("^/", "") + "; see /q/openapi";
            case 415 -> "The body must be JSON (Content-Type: application/json)";
            case 406 -> "This endpoint answers in JSON (Accept: application/json)";
            default -> e.getMessage();
        };
        return answer(status, status == 404 ? "NotFound" : "GenericError", desc);
    }

    @ServerExceptionMapper(RuntimeException.class)
    public Response defect(RuntimeException e) {
        LOG.error("Unexpected error", e);
        return answer(500, "InternalError", "Internal error: " + e);
    }
}
