package io.jvmm.monitor.api;

import io.jvmm.monitor.service.ManagedVm;
import io.jvmm.monitor.service.ServiceEvents;
import io.jvmm.monitor.service.VmEvent;
import io.jvmm.monitor.service.VmService;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * One VM's lifecycle events as Server-Sent Events, as {@link EventsResource} streams every VM's.
 * A class of its own: JAX-RS picks the resource class by its path before the method, and
 * {@code /vms/{id}/events} must not be matched by {@link VmResource}'s {@code /vms}.
 */
@Tag(name = "Events")
@Path("/vms/{id}/events")
public class VmEventsResource {
    @Inject
    VmService service;

    @Inject
    ServiceEvents events;

    /** The events of the VM with this id or name (and events-lost markers). */
    @Operation(operationId = "followVmEvents",
            summary = "One VM's events as Server-Sent Events; Last-Event-ID resumes from the bounded buffer.")
    @APIResponse(responseCode = "200", description = "The events, each with its sequence number as id and its type as name.", content = @Content(mediaType = "text/event-stream"))
    @APIResponse(responseCode = "404", ref = "Error")
    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void vm(@PathParam("id") String id, @HeaderParam("Last-Event-ID") String lastEventId,
                   @Context SseEventSink sink, @Context Sse sse) {
        ManagedVm vm = service.get(id);
        EventsResource.stream(events, lastEventId, e -> vm.id().equals(e.vm()) || VmEvent.LOST.equals(e.type()),
                sink, sse);
    }
}
