package io.jvmm.monitor.service;

import io.jvmm.core.boot.BootImageException;
import io.jvmm.core.devices.SerialSink;
import io.jvmm.core.machine.ConfigException;
import io.jvmm.core.machine.Machine;
import io.jvmm.core.machine.MachineConfig;
import io.jvmm.core.machine.MachineState;
import io.jvmm.core.metrics.VmmMetrics;
import io.jvmm.guests.BundledGuests;
import io.jvmm.kvm.Kvm;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Owns the service's VMs: creates them from {@link LaunchSpec}s, lists, finds and destroys them.
 * The REST resources call only this and {@link Monitor}. Thread-safe: the VM table is a
 * concurrent map; each VM's own state is guarded by its Big Lock.
 */
@ApplicationScoped
@Startup
public class VmService {
    private final ConcurrentHashMap<String, ManagedVm> vms = new ConcurrentHashMap<>();
    /** Names taken, each by the id of its VM (or a placeholder while the VM is being created). */
    private final ConcurrentHashMap<String, String> names = new ConcurrentHashMap<>();
    private final RecentlyDestroyed destroyed = new RecentlyDestroyed();
    private final AtomicInteger nextId = new AtomicInteger(1);

    @Inject
    MeterRegistry registry;

    @Inject
    ServiceEvents events;

    @ConfigProperty(name = "jvmm.max-vms", defaultValue = "64")
    int maxVms;

    @ConfigProperty(name = "jvmm.vcpu-timeout-ms", defaultValue = "10000")
    long vcpuTimeoutMs;

    @ConfigProperty(name = "jvmm.image-dir")
    java.util.Optional<String> imageDir;

    /** Where each VM's QMP socket goes ({@code <dir>/<vm label>.qmp}); unset, VMs have none unless asked for. */
    @ConfigProperty(name = "jvmm.qmp-dir")
    java.util.Optional<String> qmpDir;

    @Inject
    Monitor monitor;

    private VmSlots slots;
    private ImageDirectory images;
    private VmInfoMeters info;

    void registerGauges() {
        for (MachineState s : MachineState.values()) {
            Gauge.builder(VmmMetrics.MACHINES, vms, m -> m.values().stream()
                            .filter(v -> v.machine().state() == s).count())
                    .description("Machines the service owns, by state").tag("state", s.tag()).register(registry);
        }
    }

    @jakarta.annotation.PostConstruct
    void init() {
        slots = new VmSlots(maxVms);
        images = imageDir.filter(d -> !d.isBlank()).map(ImageDirectory::of).orElse(ImageDirectory.none());
        info = new VmInfoMeters(registry);
        registerGauges();
    }

    /** The directory REST clients may boot kernels from ({@code jvmm.image-dir}). */
    public ImageDirectory images() {
        return images;
    }

    /**
     * Creates and starts a VM of a bundled guest, or (with {@code allowPaths}) of a file the caller
     * has vetted: named on the command line, or resolved inside {@link #images()}.
     *
     * @param echo also receives the serial output (stdout under {@code run --monitor}); may be null
     * @throws ConfigException for an invalid smp or memory value
     * @throws BootImageException for an unknown guest
     * @throws ServiceException if the guest is a path, the VM limit is reached, or KVM is missing
     */
    public ManagedVm create(LaunchSpec spec, SerialSink echo, boolean allowPaths)
            throws ConfigException, BootImageException {
        return create(spec, echo, allowPaths, UnaryOperator.identity());
    }

    /**
     * As {@link #create(LaunchSpec, SerialSink, boolean)}, with {@code customize} applied to the
     * machine configuration last: the hook for settings the REST API does not expose (an
     * embedding application's, or a test's).
     */
    public ManagedVm create(LaunchSpec spec, SerialSink echo, boolean allowPaths,
                            UnaryOperator<MachineConfig.Builder> customize)
            throws ConfigException, BootImageException {
        if (!allowPaths && (spec.guest() == null || !GuestImages.isBundledName(spec.guest())
                || BundledGuests.image(spec.guest()).isEmpty())) {
            throw new ServiceException(400, "GenericError", "Unknown guest '" + spec.guest() + "'; the service runs "
                    + "bundled guests: " + String.join(", ", BundledGuests.names()));
        }
        var builder = spec.toConfig();
        if (!Kvm.isAvailable()) {
            throw new ServiceException(503, "KvmUnavailable", "KVM is unavailable on this host: "
                    + Kvm.unavailabilityCause() + "; see GET /q/health/ready");
        }
        String id = "vm-" + nextId.getAndIncrement();
        if (spec.name() != null && names.putIfAbsent(spec.name(), id) != null) {
            throw new ServiceException(409, "GenericError", "A VM named '" + spec.name() + "' exists already ("
                    + names.get(spec.name()) + "); choose another name or destroy that VM first");
        }
        ManagedVm vm = null;
        boolean slot = false;
        try {
            slots.take();
            slot = true;
            ConsoleBuffer console = new ConsoleBuffer(echo == null ? b -> { } : echo);
            // The machine's id labels its metrics: the name, stable across restarts, when there is one.
            Machine machine = Machine.create(customize.apply(builder.id(spec.name() != null ? spec.name() : id)
                    .serial(console).meterRegistry(registry).vcpuTimeoutMs(vcpuTimeoutMs)
                    .listener(events.listener(id, spec.name()))).build());
            vm = new ManagedVm(id, spec, machine, console);
            vms.put(id, vm);
            info.add(vm);
            events.publish(vm, VmEvent.CREATED, Map.of("guest", spec.guest(), "smp", machine.config().topology()
                    .canonical(), "memory", machine.config().memorySize(), "paused", spec.paused()));
            events.watch(vm);
            if (qmpDir.isPresent() && !qmpDir.get().isBlank()) {
                serveQmp(vm, java.nio.file.Path.of(qmpDir.get(), vm.label() + ".qmp"));
            }
            machine.start();
        } catch (ConfigException | BootImageException | RuntimeException | Error e) {
            try {
                if (vm != null) {
                    vms.remove(vm.id());
                    info.remove(vm);
                    vm.closeQmp();
                    vm.machine().destroy();
                }
            } finally {
                if (spec.name() != null) {
                    names.remove(spec.name(), id);
                }
                if (slot) {
                    slots.give();
                }
            }
            throw e;
        }
        return vm;
    }

    /**
     * Serves QMP for {@code vm} on a Unix socket at {@code path} (mode 0600) until it is destroyed.
     *
     * @throws ServiceException 500 if the socket cannot be made (the path exists, or its directory does not)
     */
    public void serveQmp(ManagedVm vm, java.nio.file.Path path) {
        try {
            vm.qmp(io.jvmm.monitor.qmp.QmpServer.start(path, vm, monitor, events, Versions.jvmm()));
        } catch (java.io.IOException e) {
            throw new ServiceException(500, "GenericError", "Cannot make the QMP socket " + path + ": " + e);
        }
    }

    /** The VM whose id or name is {@code idOrName}. */
    public ManagedVm get(String idOrName) {
        ManagedVm vm = vms.get(idOrName);
        if (vm == null) {
            String id = names.get(idOrName);
            vm = id == null ? null : vms.get(id);
        }
        if (vm == null) {
            throw new UnknownVmException(idOrName, destroyed.contains(idOrName), ids());
        }
        return vm;
    }

    /** Every VM, oldest first. */
    public List<ManagedVm> list() {
        List<ManagedVm> out = new ArrayList<>(vms.values());
        out.sort(Comparator.comparing(ManagedVm::created).thenComparing(ManagedVm::id));
        return out;
    }

    private List<String> ids() {
        return list().stream().map(v -> v.name() == null ? v.id() : v.id() + " (" + v.name() + ")").toList();
    }

    /** Destroys the VM {@code idOrName}: stops its vCPUs, closes its KVM objects, forgets it. */
    public void destroy(String idOrName) {
        ManagedVm vm = get(idOrName);
        if (vms.remove(vm.id(), vm)) {
            destroyed.add(vm.id());
            info.remove(vm);
            try {
                vm.closeQmp();
                vm.machine().destroy();
            } finally {
                if (vm.name() != null) {
                    names.remove(vm.name(), vm.id());
                    destroyed.add(vm.name());
                }
                slots.give();
            }
        }
    }

    @PreDestroy
    void shutdown() {
        for (String id : new ArrayList<>(vms.keySet())) {
            try {
                destroy(id);
            } catch (RuntimeException e) {
                // keep destroying the others
            }
        }
    }
}
