package io.jvmm.core.metrics;

import io.jvmm.core.devices.Bus;
import io.jvmm.core.lock.LockObserver;
import io.jvmm.core.vcpu.Vcpu;
import io.jvmm.core.vcpu.VcpuRunState;
import io.jvmm.kvm.VcpuExit;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The meters of one machine, all tagged {@code vm=<id>}, and removed from the registry when the
 * machine is destroyed so a long-running service does not accumulate dead series.
 */
public final class MachineMetrics {
    private final MeterRegistry registry;
    private final String vm;
    private final List<Meter> meters = new CopyOnWriteArrayList<>();
    private final Map<String, Counter> exits = new ConcurrentHashMap<>();
    private final Counter ioOut;
    private final Counter ioIn;
    private final Counter interrupted;
    private final LockMetricsObserver lockObserver;
    private final Timer readClaim;
    private final Timer readRead;
    private final Timer readHandback;

    /** Meters for machine {@code vm} in {@code registry}. */
    public MachineMetrics(MeterRegistry registry, String vm) {
        this.registry = registry;
        this.vm = vm;
        this.lockObserver = new LockMetricsObserver(registry, vm, meters::add);
        for (String reason : List.of("io_out", "io_in", "mmio_write", "mmio_read", "interrupted", "hlt", "shutdown",
                "internal_error", "fail_entry", "system_event", "exception", "unknown")) {
            exitCounter(reason);
        }
        this.ioOut = exitCounter("io_out");
        this.ioIn = exitCounter("io_in");
        this.interrupted = exitCounter("interrupted");
        this.readClaim = readTimer("claim");
        this.readRead = readTimer("read");
        this.readHandback = readTimer("handback");
    }

    private Timer readTimer(String phase) {
        Timer t = Timer.builder(VmmMetrics.VCPU_REGISTER_READ).description("Register reads for the monitor, by phase")
                .tags("vm", vm, "phase", phase).serviceLevelObjectives(VmmMetrics.READ_BUCKETS).register(registry);
        meters.add(t);
        return t;
    }

    private Counter exitCounter(String reason) {
        return exits.computeIfAbsent(reason, r -> {
            Counter c = Counter.builder(VmmMetrics.VCPU_EXITS).description("KVM_RUN exits by reason")
                    .tags("vm", vm, "reason", r).register(registry);
            meters.add(c);
            return c;
        });
    }

    /** The Big Lock observer for this machine. */
    public LockObserver lockObserver() {
        return lockObserver;
    }

    /** Counts one exit; the frequent kinds without a lookup. */
    public void exit(VcpuExit exit) {
        if (exit instanceof VcpuExit.IoOut) {
            ioOut.increment();
        } else if (exit instanceof VcpuExit.IoIn) {
            ioIn.increment();
        } else if (exit instanceof VcpuExit.Interrupted) {
            interrupted.increment();
        } else {
            exitCounter(exit.reasonName()).increment();
        }
    }

    /** Times one answered register read on its vCPU thread: the way out of the guest and the read. */
    public void registerRead(long claimNanos, long readNanos) {
        readClaim.record(claimNanos, TimeUnit.NANOSECONDS);
        readRead.record(readNanos, TimeUnit.NANOSECONDS);
    }

    /** Times the hand-back of a register read: from the last vCPU's answer to the asker running. */
    public void registerReadHandback(long nanos) {
        readHandback.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Registers the gauges and counters that read the machine's vCPUs and buses. */
    public void bind(Supplier<List<Vcpu>> vcpus, Bus pio, Bus mmio) {
        for (VcpuRunState s : VcpuRunState.values()) {
            meters.add(Gauge.builder(VmmMetrics.VCPUS, vcpus, v -> v.get().stream().filter(c -> c.runState() == s).count())
                    .description("vCPUs by run state").tags("vm", vm, "state", s.tag()).register(registry));
        }
        meters.add(FunctionCounter.builder(VmmMetrics.VCPU_STATE_WRITES, vcpus,
                        v -> v.get().stream().mapToLong(c -> c.backend().stateWrites()).sum())
                .description("KVM_SET_* calls for this machine's vCPUs").tags("vm", vm).register(registry));
        for (Bus bus : List.of(pio, mmio)) {
            meters.add(FunctionCounter.builder(VmmMetrics.IO_UNCLAIMED, bus, Bus::unclaimedReads)
                    .description("Accesses no device claimed").tags("vm", vm, "bus", bus.name(), "direction", "read")
                    .register(registry));
            meters.add(FunctionCounter.builder(VmmMetrics.IO_UNCLAIMED, bus, Bus::unclaimedWrites)
                    .description("Accesses no device claimed").tags("vm", vm, "bus", bus.name(), "direction", "write")
                    .register(registry));
        }
    }

    /** Removes every meter of this machine from the registry. */
    public void close() {
        for (Meter m : meters) {
            registry.remove(m);
        }
        meters.clear();
    }
}
