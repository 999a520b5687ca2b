package io.jvmm.monitor.api;

import io.jvmm.core.boot.BootImageException;
import io.jvmm.core.machine.ConfigException;
import io.jvmm.monitor.service.HmpParser;
import io.jvmm.monitor.service.LaunchSpec;
import io.jvmm.monitor.service.ManagedVm;
import io.jvmm.monitor.service.Monitor;
import io.jvmm.monitor.service.MonitorCommand;
import io.jvmm.monitor.service.MonitorCommandException;
import io.jvmm.monitor.service.VmService;
import io.smallrye.common.annotation.NonBlocking;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The VM lifecycle and the monitor over REST. Thin: each method parses, calls {@link VmService}
 * or {@link Monitor}, and maps the result; errors are mapped by {@link ErrorMapper}. What only
 * reads published state (the VM list, a VM's status and CPUs, HMP commands that cannot wait) is
 * answered on the HTTP I/O thread; the rest runs on a worker, since it may wait for the Big Lock
 * or the vCPUs.
 */
@Tag(name = "VMs")
@Path("/vms")
@Produces(MediaType.APPLICATION_JSON)
public class VmResource {
    @Inject
    VmService service;

    @Inject
    Monitor monitor;

    /** Creates and starts a VM of a bundled guest, or of a kernel in the image directory. */
    @Operation(operationId = "createVm",
            summary = "Create and start a VM of a bundled guest, or of a kernel in the image directory; named if a name is given.")
    @APIResponse(responseCode = "201", description = "Created (and started, unless paused was asked for); Location names it.")
    @APIResponse(responseCode = "400", ref = "Error")
    @APIResponse(responseCode = "403", ref = "Error")
    @APIResponse(responseCode = "404", ref = "Error")
    @APIResponse(responseCode = "409", ref = "Error")
    @APIResponse(responseCode = "503", ref = "Error")
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response create(Dtos.CreateVm body) throws ConfigException, BootImageException {
        if (body == null) {
            throw new MonitorCommandException("GenericError", "The body must be a JSON object such as "
                    + "{\"guest\": \"smp-work\", \"smp\": \"4\", \"memory\": \"64M\"}");
        }
        boolean named = body.guest() != null && !body.guest().isBlank();
        if (named == (body.kernel() != null)) {
            throw new MonitorCommandException("GenericError", (named ? "Both \"guest\" and \"kernel\" given; name "
                    + "one" : "\"guest\" or \"kernel\" is required") + ": a bundled guest, e.g. {\"guest\": "
                    + "\"smp-work\"}, or a kernel file in the image directory, e.g. {\"kernel\": \"vmlinux\"}");
        }
        String kernel = service.images().resolve("kernel", body.kernel());
        String initrd = service.images().resolve("initrd", body.initrd());
        LaunchSpec spec = new LaunchSpec(named ? body.guest() : kernel, body.smp(), body.memory(), body.append(),
                initrd, body.cpu(), Boolean.TRUE.equals(body.startPoweredOff()), Boolean.TRUE.equals(body.noReboot()),
                Boolean.TRUE.equals(body.paused()), body.name());
        ManagedVm vm = service.create(spec, null, kernel != null);
        return Response.created(URI.create("/vms/" + vm.id())).entity(new Dtos.Created(vm.id())).build();
    }

    /** Every VM with its status. */
    @Operation(operationId = "listVms",
            summary = "List the VMs with their status, oldest first.")
    @GET
    @NonBlocking
    public Dtos.VmList list() {
        return new Dtos.VmList(service.list().stream().map(Views::status).toList());
    }

    /** One VM's status. */
    @Operation(operationId = "getVm",
            summary = "One VM (by id or name): its status, and how its run ended.")
    @APIResponse(responseCode = "200", description = "The VM's status.")
    @APIResponse(responseCode = "404", ref = "Error")
    @GET
    @NonBlocking
    @Path("/{id}")
    public Dtos.VmStatus status(@PathParam("id") String id) {
        return Views.status(service.get(id));
    }

    /** Destroys a VM. */
    @Operation(operationId = "destroyVm",
            summary = "Destroy a VM: stop its vCPUs and close its KVM objects.")
    @APIResponse(responseCode = "204", description = "Destroyed.")
    @APIResponse(responseCode = "404", ref = "Error")
    @DELETE
    @Path("/{id}")
    public Response destroy(@PathParam("id") String id) {
        service.destroy(id);
        return Response.noContent().build();
    }

    /** Runs one HMP command line and answers with its text. */
    @Operation(operationId = "runHmpCommand",
            summary = "Run one HMP command line, answered with the text a QEMU user would see.")
    @APIResponse(responseCode = "200", description = "The command's text, as QMP's human-monitor-command returns it.")
    @APIResponse(responseCode = "400", ref = "Error")
    @APIResponse(responseCode = "404", ref = "Error")
    @APIResponse(responseCode = "409", ref = "Error")
    @APIResponse(responseCode = "503", ref = "Error")
    @POST
    @Path("/{id}/hmp")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Dtos.HmpReturn> hmp(@PathParam("id") String id, Dtos.Hmp body) {
        if (body == null || body.commandLine() == null) {
            throw new MonitorCommandException("GenericError", "The body must be {\"command-line\": \"...\"}, "
                    + "e.g. {\"command-line\": \"info registers -a\"}");
        }
        MonitorCommand cmd = HmpParser.parse(body.commandLine());
        ManagedVm vm = service.get(id);
        if (!cmd.mayWait()) {
            return Uni.createFrom().item(new Dtos.HmpReturn(monitor.execute(vm, cmd)));
        }
        return Uni.createFrom().item(() -> new Dtos.HmpReturn(monitor.execute(vm, cmd)))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    /** The CPUs of a VM. */
    @Operation(operationId = "listCpus",
            summary = "The VM's CPUs: index, APIC id, topology, run state, host thread.")
    @APIResponse(responseCode = "200", description = "One entry per CPU.")
    @APIResponse(responseCode = "404", ref = "Error")
    @GET
    @NonBlocking
    @Path("/{id}/cpus")
    public java.util.List<Dtos.Cpu> cpus(@PathParam("id") String id) {
        return Views.cpus(service.get(id));
    }

    /** One CPU's registers (only that vCPU leaves the guest for the read; nothing is written back). */
    @Operation(operationId = "getCpuRegisters",
            summary = "One CPU's registers; only that vCPU leaves the guest for the read, nothing is written back.")
    @APIResponse(responseCode = "200", description = "The registers.")
    @APIResponse(responseCode = "400", ref = "Error")
    @APIResponse(responseCode = "404", ref = "Error")
    @APIResponse(responseCode = "409", ref = "Error")
    @APIResponse(responseCode = "503", ref = "Error")
    @GET
    @Path("/{id}/cpus/{cpu}/registers")
    public Dtos.Registers registers(@PathParam("id") String id, @PathParam("cpu") String cpu) {
        ManagedVm vm = service.get(id);
        int index = Views.cpuIndex(vm, cpu);
        return Views.registers(monitor.registers(vm, index));
    }

    /** The last 64 KiB of the VM's serial console. */
    @Operation(operationId = "getConsole",
            summary = "The last 64 KiB of the VM's serial console.")
    @APIResponse(responseCode = "200", description = "The console text.")
    @APIResponse(responseCode = "404", ref = "Error")
    @GET
    @Path("/{id}/console")
    @Produces(MediaType.TEXT_PLAIN)
    public String console(@PathParam("id") String id) {
        return service.get(id).console().text();
    }
}
