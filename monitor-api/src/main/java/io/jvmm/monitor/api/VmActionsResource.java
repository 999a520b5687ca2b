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

/**
 * The VM lifecycle as actions, one endpoint each, in Cloud Hypervisor's style
 * ({@code PUT /api/v1/vm.pause}; here {@code POST /vms/{id}/pause}): pause, resume, reset,
 * powerdown (the ACPI power button) and nmi. Each runs the same service method as its HMP command,
 * is allowed in the states that command is, and answers 204, or 409 naming the VM's state and the
 * states it is allowed in. Creating paused is {@code "paused": true} on {@code POST /vms}; destroying
 * is {@code DELETE /vms/{id}}. Why actions rather than Firecracker's {@code PATCH} of a state:
 * docs/api.md.
 */
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
    @POST
    @Path("/pause")
    public Response pause(@PathParam("id") String id) {
        return run(id, MonitorCommand.Simple.STOP);
    }

    /** Lets a paused VM run again (HMP {@code cont}). */
    @POST
    @Path("/resume")
    public Response resume(@PathParam("id") String id) {
        return run(id, MonitorCommand.Simple.CONT);
    }

    /** Resets the machine (HMP {@code system_reset}); under no-reboot, ends it. */
    @POST
    @Path("/reset")
    public Response reset(@PathParam("id") String id) {
        return run(id, MonitorCommand.Simple.SYSTEM_RESET);
    }

    /** Presses the ACPI power button (HMP {@code system_powerdown}); the guest decides what follows. */
    @POST
    @Path("/powerdown")
    public Response powerdown(@PathParam("id") String id) {
        return run(id, MonitorCommand.Simple.SYSTEM_POWERDOWN);
    }

    /** The NMI button (HMP {@code nmi}). */
    @POST
    @Path("/nmi")
    public Response nmi(@PathParam("id") String id) {
        return run(id, MonitorCommand.Simple.NMI);
    }
}
