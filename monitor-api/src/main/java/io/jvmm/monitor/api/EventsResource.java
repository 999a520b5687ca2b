package io.jvmm.monitor.api;

import io.jvmm.monitor.service.EventLog;
import io.jvmm.monitor.service.ServiceEvents;
import io.jvmm.monitor.service.VmEvent;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.util.function.Predicate;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Lifecycle events as Server-Sent Events: every VM's at {@code GET /events}, one VM's at
 * {@code GET /vms/{id}/events} ({@link VmEventsResource}). Each event's SSE id is its sequence
 * number and its SSE name its type; the data is the JSON of {@link VmEvent}. A client that
 * reconnects with {@code Last-Event-ID} gets what it missed, or an {@code events-lost} event first.
 */
@Tag(name = "Events")
@Path("/events")
public class EventsResource {
    @Inject
    ServiceEvents events;

    /** Every VM's events. */
    @Operation(operationId = "followEvents",
            summary = "Every VM's events as Server-Sent Events; Last-Event-ID resumes from the bounded buffer.")
    @APIResponse(responseCode = "200", description = "The events, each with its sequence number as id and its type as name.", content = @Content(mediaType = "text/event-stream"))
    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void all(@HeaderParam("Last-Event-ID") String lastEventId, @Context SseEventSink sink, @Context Sse sse) {
        stream(events, lastEventId, e -> true, sink, sse);
    }

    /** Streams the events of {@code log} that pass {@code filter} to {@code sink}. */
    static void stream(ServiceEvents events, String lastEventId, Predicate<VmEvent> filter, SseEventSink sink,
                       Sse sse) {
        long last = LastEventId.parse(lastEventId, -1, "an event number");
        EventLog.Subscriber s = e -> {
            if (sink.isClosed()) {
                return false;
            }
            sink.send(sse.newEventBuilder().id(Long.toString(e.seq())).name(e.type())
                    .mediaType(MediaType.APPLICATION_JSON_TYPE).data(VmEvent.class, e).build());
            return true;
        };
        events.log().subscribe(last, filter, s);
    }
}
