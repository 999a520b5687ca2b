package io.jvmm.monitor.api;

import io.jvmm.monitor.service.Monitor;
import io.jvmm.monitor.service.MonitorCommand;
import io.jvmm.monitor.service.VmService;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The VM lifecycle as actions, one endpoint each, in Cloud Hypervisor's style
 * ({@code PUT /api/v1/vm.pause}; here {@code POST /vms/{id}/pause}): pause, resume, reset,
 * powerdown (the ACPI power button) and nmi. Each runs the same service method as its HMP command,
 * is allowed in the states that command is, and answers 204, or 409 naming the VM's state and the
 * states it is allowed in. Creating paused is {@code "paused": true} on {@code POST /vms}; destroying
 * is {@code DELETE /vms/{id}}. Why actions rather than Firecracker's {@code PATCH} of a state:
 * docs/api.md.
 */
@Tag(name = "VM actions")
@Path("/vms/{id}")
@Produces(MediaType.APPLICATION_JSON)
public class VmActionsResource {
    @Inject
    VmService service;

    @Inject
    Monitor monitor;

    private Response run(String id, MonitorCommand cmd) {
        monitor.execute(service.get(id), cmd);
        return Response.noContent().build();
    }

    /** Stops every vCPU (HMP {@code stop}); allowed while running, paused or resetting. */
    @Operation(operationId = "pauseVm",
            summary = "Stop every vCPU (HMP stop). Allowed while running, paused or resetting.")
    @APIResponse(responseCode = "204", description = "Paused.")
    @APIResponse(responseCode = "404", ref = "Error")
    @APIResponse(responseCode = "409", ref = "Error")
    @APIResponse(responseCode = "503", ref = "Error")
    @POST
    @Path("/pause")
    public Response pause(@PathParam("id") String id) {
        return run(id, MonitorCommand.Simple.STOP);
    }

    /** Lets a paused VM run again (HMP {@code cont}). */
    @Operation(operationId = "resumeVm",
            summary = "Let a paused VM run again (HMP cont). Allowed while running, paused or resetting.")
    @APIResponse(responseCode = "204", description = "Running.")
    @APIResponse(responseCode = "404", ref = "Error")
    @APIResponse(responseCode = "409", ref = "Error")
    @APIResponse(responseCode = "503", ref = "Error")
    @POST
    @Path("/resume")
    public Response resume(@PathParam("id") String id) {
        return run(id, MonitorCommand.Simple.CONT);
    }

    /** Resets the machine (HMP {@code system_reset}); under no-reboot, ends it. */
    @Operation(operationId = "resetVm",
            summary = "Reset the machine (HMP system_reset); under no-reboot the run ends instead.")
    @APIResponse(responseCode = "204", description = "Reset, or ended under no-reboot.")
    @APIResponse(responseCode = "404", ref = "Error")
    @APIResponse(responseCode = "409", ref = "Error")
    @APIResponse(responseCode = "503", ref = "Error")
    @POST
    @Path("/reset")
    public Response reset(@PathParam("id") String id) {
        return run(id, MonitorCommand.Simple.SYSTEM_RESET);
    }

    /** Presses the ACPI power button (HMP {@code system_powerdown}); the guest decides what follows. */
    @Operation(operationId = "powerdownVm",
            summary = "Press the ACPI power button (HMP system_powerdown); the guest decides what follows.")
    @APIResponse(responseCode = "204", description = "Pressed.")
    @APIResponse(responseCode = "404", ref = "Error")
    @APIResponse(responseCode = "409", ref = "Error")
    @POST
    @Path("/powerdown")
    public Response powerdown(@PathParam("id") String id) {
        return run(id, MonitorCommand.Simple.SYSTEM_POWERDOWN);
    }

    /** The NMI button (HMP {@code nmi}). */
    @Operation(operationId = "injectNmi",
            summary = "Inject an NMI into every vCPU (HMP nmi).")
    @APIResponse(responseCode = "204", description = "Injected.")
    @APIResponse(responseCode = "404", ref = "Error")
    @APIResponse(responseCode = "409", ref = "Error")
    @APIResponse(responseCode = "503", ref = "Error")
    @POST
    @Path("/nmi")
    public Response nmi(@PathParam("id") String id) {
        return run(id, MonitorCommand.Simple.NMI);
    }
}
