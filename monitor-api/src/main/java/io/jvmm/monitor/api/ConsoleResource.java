package io.jvmm.monitor.api;

import io.jvmm.core.machine.InvalidStateException;
import io.jvmm.monitor.service.ConsoleStreams;
import io.jvmm.monitor.service.ManagedVm;
import io.jvmm.monitor.service.VmService;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The serial console, live: {@code GET /vms/{id}/console/stream} follows the output as Server-Sent
 * Events (each event's id the byte offset after it, so a reconnect with {@code Last-Event-ID}
 * resumes where it stopped), and {@code POST /vms/{id}/console} types bytes into the UART's
 * receive buffer, with its interrupt, as a terminal would. (The last 64 KiB as one text:
 * {@code GET /vms/{id}/console}.)
 */
@Tag(name = "Console")
@Path("/vms/{id}/console")
public class ConsoleResource {
    @Inject
    VmService service;

    @Inject
    ConsoleStreams streams;

    /** Follows the console from the start of what is kept, or from {@code Last-Event-ID}. */
    @Operation(operationId = "followConsole",
            summary = "Follow the serial console as Server-Sent Events, from what is kept or from Last-Event-ID.")
    @APIResponse(responseCode = "200", description = "The console, as events whose data is text and whose id is a byte offset.", content = @Content(mediaType = "text/event-stream"))
    @APIResponse(responseCode = "404", ref = "Error")
    @GET
    @Path("/stream")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void stream(@PathParam("id") String id, @HeaderParam("Last-Event-ID") String lastEventId,
                       @Context SseEventSink sink, @Context Sse sse) {
        ManagedVm vm = service.get(id);
        long from = LastEventId.parse(lastEventId, 0, "a console offset");
        streams.follow(vm, from, new ConsoleStreams.Follower() {
            @Override
            public boolean accept(long offset, long end, String text, long lost) {
                if (sink.isClosed()) {
                    return false;
                }
                Map<String, Object> data = new LinkedHashMap<>();
                data.put("offset", offset);
                data.put("text", text);
                if (lost > 0) {
                    data.put("lost", lost);
                }
                sink.send(sse.newEventBuilder().id(Long.toString(end)).name("output")
                        .mediaType(MediaType.APPLICATION_JSON_TYPE).data(Map.class, data).build());
                return true;
            }

            @Override
            public void ended() {
                sink.send(sse.newEventBuilder().name("ended").data("the VM was destroyed").build())
                        .whenComplete((r, t) -> sink.close());
            }
        });
    }

    /** Types the body's bytes into the serial port, as a terminal would (up to 4096 unread bytes are kept). */
    @Operation(operationId = "typeIntoConsole",
            summary = "Type the body's bytes into the serial port, as a terminal would.")
    @APIResponse(responseCode = "204", description = "Queued for the guest.")
    @APIResponse(responseCode = "400", ref = "Error")
    @APIResponse(responseCode = "404", ref = "Error")
    @APIResponse(responseCode = "409", ref = "Error")
    @POST
    @Consumes({MediaType.TEXT_PLAIN, MediaType.APPLICATION_OCTET_STREAM})
    public Response type(@PathParam("id") String id, byte[] body) {
        ManagedVm vm = service.get(id);
        if (!vm.machine().state().isLive()) {
            throw new InvalidStateException("type into the console of", vm.machine().state(),
                    "running, paused or resetting");
        }
        vm.machine().sendSerialInput(body == null ? new byte[0] : body);
        return Response.noContent().build();
    }
}
