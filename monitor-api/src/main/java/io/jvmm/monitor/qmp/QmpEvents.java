package io.jvmm.monitor.qmp;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvmm.monitor.service.VmEvent;

/**
 * The service's lifecycle events as QMP events ({@code {"event", "data", "timestamp"}}), with the
 * names and data of QEMU's: paused is STOP, resumed RESUME, reset RESET ({@code guest}, {@code
 * reason} guest-reset or host-qmp-system-reset), powerdown POWERDOWN, and the end of a run
 * SHUTDOWN ({@code guest}, {@code reason}: guest-shutdown for an ACPI power-off, guest-reset or
 * host-qmp-system-reset for a reset under no-reboot, guest-panic for a guest fault, host-qmp-quit
 * for quit). A guest's
 * debug-exit write ends the run without an event, as QEMU's isa-debug-exit exits the process.
 */
final class QmpEvents {
    private static final ObjectMapper JSON = new ObjectMapper();

    private QmpEvents() {
    }

    /** The QMP event for {@code e}, or null if QMP has none. */
    static ObjectNode of(VmEvent e) {
        ObjectNode o = JSON.createObjectNode();
        ObjectNode data = JSON.createObjectNode();
        String name;
        switch (e.type()) {
            case VmEvent.PAUSED -> name = "STOP";
            case VmEvent.RESUMED -> name = "RESUME";
            case VmEvent.POWERDOWN -> name = "POWERDOWN";
            case VmEvent.RESET -> {
                name = "RESET";
                boolean guest = "guest".equals(e.data().get("by"));
                data.put("guest", guest);
                data.put("reason", guest ? "guest-reset" : "host-qmp-system-reset");
            }
            case VmEvent.ENDED -> {
                boolean operatorReset = String.valueOf(e.data().get("reason")).startsWith("system_reset");
                String reason = switch (String.valueOf(e.data().get("kind"))) {
                    case "power_off" -> "guest-shutdown";
                    case "reset" -> operatorReset ? "host-qmp-system-reset" : "guest-reset";
                    case "guest_fault" -> "guest-panic";
                    case "destroyed" -> "host-qmp-quit";
                    case "vmm_error" -> "host-error";
                    default -> null;
                };
                if (reason == null) {
                    return null;
                }
                name = "SHUTDOWN";
                data.put("guest", !reason.startsWith("host-"));
                data.put("reason", reason);
            }
            default -> {
                return null;
            }
        }
        o.put("event", name);
        if (!data.isEmpty()) {
            o.set("data", data); // QEMU leaves "data" out of events that carry none (STOP, RESUME, POWERDOWN)
        }
        ObjectNode ts = o.putObject("timestamp");
        ts.put("seconds", e.time().getEpochSecond());
        ts.put("microseconds", e.time().getNano() / 1000);
        return o;
    }
}
