package io.jvmm.monitor.service;

import io.jvmm.core.machine.MachineExit;
import io.jvmm.core.machine.MachineListener;
import io.jvmm.core.metrics.VmmMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The service's event log ({@link EventLog}, {@code jvmm.events.kept} events kept for clients
 * that reconnect) and the places events come from: the service's own requests, each machine's
 * guest resets ({@link #listener}) and each run's end ({@link #watch}), which it also counts in
 * {@code jvmm_vm_ends_total{reason}} (every reason present from the start, at 0, so that a rate
 * over it is defined before the first end).
 */
@ApplicationScoped
@Startup
public class ServiceEvents {
    @ConfigProperty(name = "jvmm.events.kept", defaultValue = "1024")
    int kept;

    @Inject
    MeterRegistry registry;

    private EventLog log;
    private final Map<MachineExit.Kind, Counter> ends = new EnumMap<>(MachineExit.Kind.class);

    @PostConstruct
    void init() {
        log = new EventLog(kept);
        for (MachineExit.Kind k : MachineExit.Kind.values()) {
            ends.put(k, Counter.builder(VmmMetrics.VM_ENDS).description("VM runs that ended, by reason")
                    .tag("reason", k.name().toLowerCase(Locale.ROOT)).register(registry));
        }
    }

    /** The log clients subscribe to. */
    public EventLog log() {
        return log;
    }

    /** Publishes an event of {@code type} about {@code vm}. */
    public void publish(ManagedVm vm, String type, Map<String, Object> data) {
        log.publish(vm.id(), vm.name(), type, data);
    }

    /** A machine listener that reports guest resets of the VM {@code id} (named {@code name}). */
    MachineListener listener(String id, String name) {
        return new MachineListener() {
            @Override
            public void guestReset(int cpu) {
                log.publish(id, name, VmEvent.RESET, Map.of("by", "guest", "cpu", cpu));
            }
        };
    }

    /** Publishes {@link VmEvent#ENDED} (after {@link VmEvent#VCPU_CRASHED} for a vCPU failure) when {@code vm}'s run ends. */
    void watch(ManagedVm vm) {
        // Async: the run ends on a vCPU thread that holds the Big Lock.
        vm.machine().exitFuture().thenAcceptAsync(exit -> {
            ends.get(exit.kind()).increment();
            if (exit.kind() == MachineExit.Kind.VMM_ERROR && exit.reason().startsWith("vcpu-")) {
                publish(vm, VmEvent.VCPU_CRASHED, Map.of("reason", exit.reason()));
            }
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("kind", exit.kind().name().toLowerCase(Locale.ROOT));
            data.put("code", exit.code());
            data.put("reason", exit.reason());
            publish(vm, VmEvent.ENDED, data);
        });
    }
}
