package io.jvmm.monitor.service;

import io.jvmm.core.metrics.VmmMetrics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** One {@code jvmm_vm_info} series per VM the service owns, from its creation to its destruction. */
final class VmInfoMeters {
    private final MeterRegistry registry;
    private final Map<String, Gauge> gauges = new ConcurrentHashMap<>();

    VmInfoMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    void add(ManagedVm vm) {
        var m = vm.machine().config();
        gauges.put(vm.id(), Gauge.builder(VmmMetrics.VM_INFO, () -> 1)
                .description("One series per VM, naming it; its other metrics carry the same vm label")
                .tag("vm", vm.label()).tag("id", vm.id()).tag("name", vm.name() == null ? "" : vm.name())
                .tag("guest", vm.spec().guest()).tag("smp", m.topology().canonical())
                .tag("memory_bytes", Long.toString(m.memorySize())).register(registry));
    }

    void remove(ManagedVm vm) {
        Gauge g = gauges.remove(vm.id());
        if (g != null) {
            registry.remove(g);
        }
    }
}
