package io.jvmm.core.metrics;

import java.time.Duration;

/**
 * Every metric name of the VMM, in one place, with what it measures and its unit. Micrometer
 * names; the Prometheus registry renders {@code jvmm.bql.wait} as {@code jvmm_bql_wait_seconds},
 * counters with {@code _total}. All carry a {@code vm} tag (the machine's id).
 */
public final class VmmMetrics {
    private VmmMetrics() {
    }

    // ---- Big Lock (tags: vm, role = vcpu|monitor|service, site) ----
    /**
     * Histogram, seconds: from asking for the BQL to holding it, per acquisition (0 when it was
     * free). Recorded by {@link LockMetricsObserver} and exported by the service as
     * {@code jvmm_bql_wait_seconds}; not a Micrometer timer, which costs twice as much per record.
     */
    public static final String BQL_WAIT = "jvmm.bql.wait";
    /** Histogram, seconds: from taking the BQL to releasing it ({@code jvmm_bql_hold_seconds}). */
    public static final String BQL_HOLD = "jvmm.bql.hold";
    /** Counter: acquisitions of the BQL. */
    public static final String BQL_ACQUISITIONS = "jvmm.bql.acquisitions";
    /** Counter: acquisitions that found the BQL held and had to wait. */
    public static final String BQL_CONTENDED = "jvmm.bql.contended";

    // ---- vCPUs (tag: vm) ----
    /** Counter: KVM_RUN exits by {@code reason} (io_out, io_in, mmio_write, interrupted, ...). */
    public static final String VCPU_EXITS = "jvmm.vcpu.exits";
    /** Gauge: vCPUs in each run {@code state} (running, paused, powered_off, halted, stopped). */
    public static final String VCPUS = "jvmm.vcpus";
    /** Counter: KVM_SET_* calls that reached KVM for the machine's vCPUs (reads never add to it). */
    public static final String VCPU_STATE_WRITES = "jvmm.vcpu.state.writes";
    /**
     * Gauge, seconds: how long each vCPU ({@code vcpu} = its index) has been in its current run
     * {@code state}; one series per vCPU, exported by the service at scrape time.
     */
    public static final String VCPU_STATE_AGE = "jvmm.vcpu.state.age";
    /**
     * Timer, seconds: one register read for the monitor, by {@code phase}: {@code claim} (from the
     * request being queued to the vCPU thread taking it: the kick and the way out of the guest),
     * {@code read} (the KVM_GET_* calls on the vCPU thread) and {@code handback} (from the last
     * answer to the asking thread running again). What is left of a monitor command's time is
     * the service's own work.
     */
    public static final String VCPU_REGISTER_READ = "jvmm.vcpu.register.read";

    // ---- buses (tags: vm, bus = pio|mmio, direction = read|write) ----
    /** Counter: accesses no device claimed (reads answered with all ones, writes dropped). */
    public static final String IO_UNCLAIMED = "jvmm.io.unclaimed";

    // ---- monitor (tag: command) ----
    /** Timer, seconds: monitor command latency, from request to answer, by {@code command}. */
    public static final String MONITOR_COMMAND = "jvmm.monitor.command";
    /** Gauge: machines the service owns, by {@code state}. */
    public static final String MACHINES = "jvmm.machines";
    /**
     * Gauge, always 1: one series per VM the service owns, naming it: {@code vm} (the label its
     * other metrics carry: its name, or its id), {@code id}, {@code name}, {@code guest},
     * {@code smp}, {@code memory_bytes}.
     */
    public static final String VM_INFO = "jvmm.vm.info";

    /** Gauge: 1 for the state each VM is in, 0 for the others ({@code vm}, {@code state}); exported by the service. */
    public static final String VM_STATE = "jvmm.vm.state";
    /** Counter: VM runs that ended, by {@code reason} (guest_exit, power_off, reset, guest_fault, vmm_error, destroyed). */
    public static final String VM_ENDS = "jvmm.vm.ends";
    /** Gauge, always 1: the service's build ({@code version}, {@code commit}, {@code java}). */
    public static final String BUILD_INFO = "jvmm.build.info";

    /** Histogram buckets for lock timings: 1 us to 10 s by decades. */
    public static final Duration[] LOCK_BUCKETS = {Duration.ofNanos(1_000), Duration.ofNanos(10_000),
        Duration.ofNanos(100_000), Duration.ofMillis(1), Duration.ofMillis(10), Duration.ofMillis(100),
        Duration.ofSeconds(1), Duration.ofSeconds(10)};

    /** Histogram buckets for the phases of a register read: 10 us to 1 s. */
    public static final Duration[] READ_BUCKETS = {Duration.ofNanos(10_000), Duration.ofNanos(50_000),
        Duration.ofNanos(100_000), Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofMillis(5),
        Duration.ofMillis(10), Duration.ofMillis(100), Duration.ofSeconds(1)};

    /** Histogram buckets for monitor commands: 100 us to 10 s. */
    public static final Duration[] COMMAND_BUCKETS = {Duration.ofNanos(100_000), Duration.ofMillis(1),
        Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofMillis(100),
        Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(10)};
}
