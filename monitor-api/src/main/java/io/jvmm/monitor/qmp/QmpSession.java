package io.jvmm.monitor.qmp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvmm.core.machine.MachineState;
import io.jvmm.core.machine.SmpTopology;
import io.jvmm.core.vcpu.Vcpu;
import io.jvmm.monitor.service.ManagedVm;
import io.jvmm.monitor.service.Monitor;
import io.jvmm.monitor.service.MonitorCommand;
import io.jvmm.monitor.service.MonitorCommandException;
import io.jvmm.monitor.service.VmEvent;
import io.jvmm.monitor.service.EventLog;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * One QMP connection to one VM, as QEMU's QMP reference describes the protocol: a greeting, then
 * capabilities negotiation ({@code qmp_capabilities}), then commands ({@code {"execute": ...,
 * "arguments": {...}, "id": ...}}), each answered with {@code {"return": ...}} or {@code {"error":
 * {"class", "desc"}}}, with its {@code id} echoed; and, once negotiated, asynchronous events (STOP,
 * RESUME, RESET, POWERDOWN, SHUTDOWN) from the service's event log. Commands run through the same
 * service methods as HMP and REST ({@link Monitor#execute}); a command a VM's state does not allow
 * is a {@code GenericError} with the REST answer's message.
 */
public final class QmpSession {
    /** The QEMU release whose QMP schema these answers follow. */
    static final int[] QEMU_VERSION = {7, 2, 0};

    static final List<String> COMMANDS = List.of("qmp_capabilities", "query-version", "query-name", "query-status",
            "query-cpus-fast", "query-commands", "stop", "cont", "system_reset", "system_powerdown", "inject-nmi",
            "human-monitor-command", "quit");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ManagedVm vm;
    private final Monitor monitor;
    private final EventLog events;
    private final OutputStream out;
    private final String version;
    private final java.util.concurrent.atomic.AtomicInteger inFlight;
    private final java.util.concurrent.CountDownLatch ended = new java.util.concurrent.CountDownLatch(1);
    private boolean negotiated;
    private volatile boolean open = true;

    /**
     * A session for {@code vm}, answering on {@code out}; {@code version} is jvmm's, for the greeting;
     * {@code inFlight} counts commands being answered (so that a process ending can let them finish).
     */
    public QmpSession(ManagedVm vm, Monitor monitor, EventLog events, OutputStream out, String version,
                      java.util.concurrent.atomic.AtomicInteger inFlight) {
        this.vm = vm;
        this.monitor = monitor;
        this.events = events;
        this.out = out;
        this.version = version;
        this.inFlight = inFlight;
    }

    /** Sends the greeting, then answers every command read from {@code in} until it ends or {@code quit}. */
    public void run(InputStream in) throws IOException {
        ObjectNode greeting = JSON.createObjectNode();
        ObjectNode qmp = greeting.putObject("QMP");
        qmp.set("version", versionNode());
        qmp.putArray("capabilities");
        send(greeting);
        try (MappingIterator<JsonNode> it = JSON.readerFor(JsonNode.class).readValues(in)) {
            while (open && hasNext(it)) {
                JsonNode request;
                try {
                    request = it.next();
                } catch (RuntimeException e) {
                    send(error(null, "GenericError", "JSON parse error, " + rootMessage(e)));
                    return; // QEMU resets the parser; a stream that is not JSON cannot be resynchronised here
                }
                inFlight.incrementAndGet();
                try {
                    send(answer(request));
                } finally {
                    inFlight.decrementAndGet();
                }
            }
        } finally {
            open = false;
        }
    }

    private static boolean hasNext(Iterator<JsonNode> it) {
        try {
            return it.hasNext();
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null) {
            c = c.getCause();
        }
        String m = c.getMessage();
        return m == null ? c.toString() : m.lines().findFirst().orElse(m);
    }

    /** The answer to one request. */
    ObjectNode answer(JsonNode request) {
        JsonNode id = request.get("id");
        if (!request.isObject()) {
            return error(null, "GenericError", "QMP input must be a JSON object");
        }
        JsonNode exec = request.get("execute");
        if (exec == null || !exec.isTextual()) {
            return error(id, "GenericError", exec == null ? "QMP input lacks member 'execute'"
                    : "QMP input member 'execute' must be a string");
        }
        JsonNode args = request.get("arguments");
        if (args != null && !args.isObject()) {
            return error(id, "GenericError", "QMP input member 'arguments' must be an object");
        }
        String cmd = exec.asText();
        if (!negotiated && !cmd.equals("qmp_capabilities")) {
            return error(id, "CommandNotFound", "Expecting capabilities negotiation with 'qmp_capabilities'");
        }
        if (!COMMANDS.contains(cmd)) {
            return error(id, "CommandNotFound", "The command " + cmd + " has not been found");
        }
        try {
            return ok(id, execute(cmd, args == null ? JSON.createObjectNode() : (ObjectNode) args));
        } catch (QmpError e) {
            return error(id, e.errorClass, e.getMessage());
        } catch (RuntimeException e) {
            return error(id, "GenericError", e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    private JsonNode execute(String cmd, ObjectNode args) {
        switch (cmd) {
            case "qmp_capabilities":
                allowOnly(args, "enable");
                if (negotiated) {
                    throw new QmpError("CommandNotFound", "Capabilities negotiation is already complete, command "
                            + "ignored");
                }
                negotiated = true;
                subscribe();
                return JSON.createObjectNode();
            case "query-version":
                allowOnly(args);
                return versionNode();
            case "query-name":
                allowOnly(args);
                ObjectNode name = JSON.createObjectNode();
                if (vm.name() != null) {
                    name.put("name", vm.name());
                }
                return name;
            case "query-status":
                allowOnly(args);
                return status();
            case "query-cpus-fast":
                allowOnly(args);
                return cpus();
            case "query-commands":
                allowOnly(args);
                ArrayNode list = JSON.createArrayNode();
                COMMANDS.forEach(c -> list.addObject().put("name", c));
                return list;
            case "human-monitor-command":
                allowOnly(args, "command-line", "cpu-index");
                JsonNode line = args.get("command-line");
                if (line == null || !line.isTextual()) {
                    throw new QmpError("GenericError", "Parameter 'command-line' is missing");
                }
                JsonNode cpu = args.get("cpu-index");
                try {
                    return JSON.getNodeFactory().textNode(monitor.hmp(vm, line.asText(),
                            cpu == null ? -1 : cpu.asInt()));
                } catch (MonitorCommandException e) {
                    return JSON.getNodeFactory().textNode(e.getMessage() + "\n"); // HMP's own errors are its text
                }
            default:
                allowOnly(args);
                monitor.execute(vm, simple(cmd));
                if (cmd.equals("quit")) {
                    open = false;
                    awaitEnded(); // QEMU sends SHUTDOWN before quit's answer
                }
                return JSON.createObjectNode();
        }
    }

    private void awaitEnded() {
        try {
            ended.await(2, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static MonitorCommand simple(String qmp) {
        return switch (qmp) {
            case "stop" -> MonitorCommand.Simple.STOP;
            case "cont" -> MonitorCommand.Simple.CONT;
            case "system_reset" -> MonitorCommand.Simple.SYSTEM_RESET;
            case "system_powerdown" -> MonitorCommand.Simple.SYSTEM_POWERDOWN;
            case "inject-nmi" -> MonitorCommand.Simple.NMI;
            case "quit" -> MonitorCommand.Simple.QUIT;
            default -> throw new IllegalStateException("no service method for " + qmp);
        };
    }

    private static void allowOnly(ObjectNode args, String... allowed) {
        Set<String> ok = Set.of(allowed);
        for (Iterator<String> it = args.fieldNames(); it.hasNext();) {
            String f = it.next();
            if (!ok.contains(f)) {
                throw new QmpError("GenericError", "Parameter '" + f + "' is unexpected");
            }
        }
    }

    private JsonNode versionNode() {
        ObjectNode v = JSON.createObjectNode();
        ObjectNode q = v.putObject("qemu");
        q.put("micro", QEMU_VERSION[2]);
        q.put("minor", QEMU_VERSION[1]);
        q.put("major", QEMU_VERSION[0]);
        v.put("package", "jvmm " + version);
        return v;
    }

    private JsonNode status() {
        MachineState s = vm.machine().state();
        ObjectNode o = JSON.createObjectNode();
        o.put("status", switch (s) {
            case CREATED -> "prelaunch";
            case RUNNING -> "running";
            case PAUSED -> "paused";
            case RESETTING -> "restore-vm";
            case SHUTDOWN, DESTROYED -> "shutdown";
            case FAILED -> "internal-error";
        });
        o.put("singlestep", false);
        o.put("running", s == MachineState.RUNNING);
        return o;
    }

    private JsonNode cpus() {
        ArrayNode list = JSON.createArrayNode();
        SmpTopology t = vm.machine().config().topology();
        for (Vcpu v : vm.machine().vcpus()) {
            int i = v.index();
            ObjectNode c = list.addObject();
            c.put("thread-id", v.hostThreadId());
            ObjectNode props = c.putObject("props");
            props.put("core-id", t.coreOf(i));
            props.put("thread-id", t.threadOf(i));
            props.put("socket-id", t.socketOf(i));
            c.put("qom-path", "/machine/unattached/device[" + i + "]");
            c.put("cpu-index", i);
            c.put("target", "x86_64");
        }
        return list;
    }

    /** QMP events from the VM's lifecycle events, from now on. */
    private void subscribe() {
        events.subscribe(-1, e -> vm.id().equals(e.vm()), e -> {
            ObjectNode ev = QmpEvents.of(e);
            boolean end = VmEvent.ENDED.equals(e.type());
            if (ev != null && (open || end)) {
                try {
                    send(ev);
                } catch (IOException ex) {
                    open = false;
                }
            }
            if (end) {
                ended.countDown();
                return false;
            }
            return open;
        });
    }

    private static ObjectNode ok(JsonNode id, JsonNode value) {
        ObjectNode o = JSON.createObjectNode();
        o.set("return", value);
        if (id != null) {
            o.set("id", id);
        }
        return o;
    }

    private static ObjectNode error(JsonNode id, String errorClass, String desc) {
        ObjectNode o = JSON.createObjectNode();
        ObjectNode e = o.putObject("error");
        e.put("class", errorClass);
        e.put("desc", desc);
        if (id != null) {
            o.set("id", id);
        }
        return o;
    }

    private void send(JsonNode message) throws IOException {
        byte[] line;
        try {
            line = (JSON.writeValueAsString(message) + "\r\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IOException(e);
        }
        synchronized (out) {
            out.write(line);
            out.flush();
        }
    }

    /** A QMP error answer. */
    static final class QmpError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final String errorClass;

        QmpError(String errorClass, String desc) {
            super(desc);
            this.errorClass = errorClass;
        }
    }
}
