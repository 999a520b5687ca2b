package io.jvmm.monitor.qmp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jvmm.monitor.service.EventLog;
import io.jvmm.monitor.service.VmEvent;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The QMP protocol layer on its own, without a VM: the greeting, capabilities negotiation, framing,
 * id echo and the errors QEMU answers with (the answers were taken from QEMU 7.2, see
 * QmpConformanceIT for the side-by-side run), and the event translation.
 */
class QmpSessionTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static List<JsonNode> converse(String input) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new QmpSession(null, null, new EventLog(8), out, "test", new java.util.concurrent.atomic.AtomicInteger()).run(
                new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)));
        List<JsonNode> answers = new ArrayList<>();
        for (String line : out.toString(StandardCharsets.UTF_8).split("\r\n")) {
            if (!line.isBlank()) {
                answers.add(JSON.readTree(line));
            }
        }
        return answers;
    }

    @Test
    void theGreetingNamesTheVersionAndNegotiationComesFirst() throws Exception {
        List<JsonNode> a = converse("{\"execute\": \"query-version\"}\n{\"execute\": \"qmp_capabilities\"}\n"
                + "{\"execute\": \"qmp_capabilities\"}\n{\"execute\": \"query-version\", \"id\": 3}");
        assertEquals(7, a.get(0).at("/QMP/version/qemu/major").asInt());
        assertTrue(a.get(0).at("/QMP/version/package").asText().startsWith("jvmm "));
        assertTrue(a.get(0).at("/QMP/capabilities").isArray());
        assertEquals("CommandNotFound", a.get(1).at("/error/class").asText());
        assertEquals("Expecting capabilities negotiation with 'qmp_capabilities'", a.get(1).at("/error/desc").asText());
        assertEquals("{}", a.get(2).get("return").toString());
        assertEquals("Capabilities negotiation is already complete, command ignored", a.get(3).at("/error/desc").asText());
        assertEquals(3, a.get(4).get("id").asInt(), "the id is echoed");
        assertEquals(2, a.get(4).at("/return/qemu/minor").asInt());
    }

    @Test
    void malformedRequestsGetQemusErrors() throws Exception {
        List<JsonNode> a = converse("{\"execute\": \"qmp_capabilities\"}{\"execute\": \"foo\", \"id\": \"x\"}"
                + "{\"arguments\": {}}\n[1, 2]\n{\"execute\": \"query-name\", \"arguments\": {\"bogus\": 1}}\n"
                + "{\"execute\": \"human-monitor-command\", \"arguments\": {}}\n{\"execute\": 5}\n");
        assertEquals("The command foo has not been found", a.get(2).at("/error/desc").asText());
        assertEquals("CommandNotFound", a.get(2).at("/error/class").asText());
        assertEquals("x", a.get(2).get("id").asText());
        assertEquals("QMP input lacks member 'execute'", a.get(3).at("/error/desc").asText());
        assertEquals("QMP input must be a JSON object", a.get(4).at("/error/desc").asText());
        assertEquals("Parameter 'bogus' is unexpected", a.get(5).at("/error/desc").asText());
        assertEquals("Parameter 'command-line' is missing", a.get(6).at("/error/desc").asText());
        assertEquals("GenericError", a.get(7).at("/error/class").asText());
    }

    @Test
    void queryCommandsListsWhatIsImplemented() throws Exception {
        List<JsonNode> a = converse("{\"execute\": \"qmp_capabilities\"}{\"execute\": \"query-commands\"}");
        List<String> names = new ArrayList<>();
        a.get(2).get("return").forEach(n -> names.add(n.get("name").asText()));
        assertEquals(QmpSession.COMMANDS, names);
    }

    @Test
    void brokenJsonIsAGenericErrorAndEndsTheSession() throws Exception {
        List<JsonNode> a = converse("{\"execute\": \"qmp_capabilities\"}{\"execute\": ");
        assertEquals("GenericError", a.get(2).at("/error/class").asText());
        assertTrue(a.get(2).at("/error/desc").asText().startsWith("JSON parse error"), a.get(2).toString());
    }

    @Test
    void lifecycleEventsBecomeQemusEvents() {
        Instant t = Instant.ofEpochSecond(100, 5_000);
        assertEquals("{\"event\":\"STOP\",\"timestamp\":{\"seconds\":100,\"microseconds\":5}}",
                QmpEvents.of(new VmEvent(1, t, "vm-1", null, VmEvent.PAUSED, Map.of("by", "operator"))).toString());
        assertEquals("{\"guest\":true,\"reason\":\"guest-reset\"}", QmpEvents.of(new VmEvent(2, t, "vm-1", null,
                VmEvent.RESET, Map.of("by", "guest"))).get("data").toString());
        assertEquals("{\"guest\":false,\"reason\":\"host-qmp-system-reset\"}", QmpEvents.of(new VmEvent(3, t,
                "vm-1", null, VmEvent.RESET, Map.of("by", "operator"))).get("data").toString());
        assertEquals("{\"guest\":true,\"reason\":\"guest-shutdown\"}", QmpEvents.of(new VmEvent(4, t, "vm-1", null,
                VmEvent.ENDED, Map.of("kind", "power_off", "reason", "vcpu-0 requested ACPI power-off (S5)")))
                .get("data").toString());
        assertEquals("{\"guest\":false,\"reason\":\"host-qmp-quit\"}", QmpEvents.of(new VmEvent(5, t, "vm-1", null,
                VmEvent.ENDED, Map.of("kind", "destroyed", "reason", "destroyed while running"))).get("data")
                .toString());
        assertEquals(null, QmpEvents.of(new VmEvent(6, t, "vm-1", null, VmEvent.ENDED, Map.of("kind", "guest_exit",
                "reason", "vcpu-0 wrote 0"))), "a debug-exit write has no QMP event, as in QEMU");
        assertEquals(null, QmpEvents.of(new VmEvent(7, t, "vm-1", null, VmEvent.CREATED, Map.of())));
    }
}
