package io.jvmm.monitor.metrics;

import io.jvmm.core.lock.LockSite;
import io.jvmm.core.machine.MachineState;
import io.jvmm.core.metrics.LatencyHistogram;
import io.jvmm.core.metrics.LockMetricsObserver;
import io.jvmm.core.vcpu.Vcpu;
import io.jvmm.monitor.service.ManagedVm;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;

/**
 * The per-VM series the service computes at scrape time, straight from the machines, through the
 * Prometheus client's collector interface:
 * <ul>
 * <li>{@code jvmm_bql_wait_seconds} and {@code jvmm_bql_hold_seconds} (labels vm, role, site): the
 *     Big Lock histograms {@link LockMetricsObserver} records, a few nanoseconds per acquisition,
 *     which a Micrometer timer would multiply;</li>
 * <li>{@code jvmm_vcpu_state_age_seconds} (vm, vcpu, state): how long each vCPU has been in its run state;</li>
 * <li>{@code jvmm_vm_state} (vm, state): 1 for the state each VM is in, 0 for the others.</li>
 * </ul>
 * A destroyed VM's series go with it: nothing is registered per VM.
 */
final class VmMetricsCollector implements MultiCollector {
    static final String BQL_WAIT = "jvmm_bql_wait_seconds";
    static final String BQL_HOLD = "jvmm_bql_hold_seconds";
    static final String VCPU_STATE_AGE = "jvmm_vcpu_state_age_seconds";
    static final String VM_STATE = "jvmm_vm_state";

    private final Supplier<Collection<ManagedVm>> vms;

    VmMetricsCollector(Supplier<Collection<ManagedVm>> vms) {
        this.vms = vms;
    }

    @Override
    public List<String> getPrometheusNames() {
        return List.of(BQL_WAIT, BQL_HOLD, VCPU_STATE_AGE, VM_STATE);
    }

    @Override
    public MetricSnapshots collect() {
        HistogramSnapshot.Builder wait = HistogramSnapshot.builder().name(BQL_WAIT)
                .help("Time from asking for the Big Lock to holding it");
        HistogramSnapshot.Builder hold = HistogramSnapshot.builder().name(BQL_HOLD).help("Time the Big Lock was held");
        GaugeSnapshot.Builder age = GaugeSnapshot.builder().name(VCPU_STATE_AGE)
                .help("Seconds each vCPU has been in its current run state");
        GaugeSnapshot.Builder state = GaugeSnapshot.builder().name(VM_STATE)
                .help("1 for the state each VM is in, 0 for the others");
        long now = System.nanoTime();
        for (ManagedVm vm : vms.get()) {
            String label = vm.label();
            for (LockSite site : vm.machine().bql().sites()) {
                LockMetricsObserver.SiteHistograms h = LockMetricsObserver.histograms(site);
                if (h != null) {
                    Labels l = Labels.of("vm", label, "role", site.role().tag(), "site", site.name());
                    wait.dataPoint(point(l, h.waits()));
                    hold.dataPoint(point(l, h.holds()));
                }
            }
            for (Vcpu v : vm.machine().vcpus()) {
                age.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
                        .labels(Labels.of("vm", label, "vcpu", Integer.toString(v.index()), "state", v.runState().tag()))
                        .value(Math.max(0, now - v.runStateSinceNanos()) / 1e9).build());
            }
            MachineState current = vm.machine().state();
            for (MachineState s : MachineState.values()) {
                state.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
                        .labels(Labels.of("vm", label, "state", s.tag())).value(s == current ? 1 : 0).build());
            }
        }
        return MetricSnapshots.of(wait.build(), hold.build(), age.build(), state.build());
    }

    private static HistogramSnapshot.HistogramDataPointSnapshot point(Labels labels, LatencyHistogram histogram) {
        LatencyHistogram.Snapshot s = histogram.snapshot();
        long[] bounds = histogram.boundsNanos();
        long[] cumulative = s.cumulative();
        double[] upper = new double[cumulative.length];
        long[] counts = new long[cumulative.length];
        for (int i = 0; i < cumulative.length; i++) {
            upper[i] = i < bounds.length ? bounds[i] / 1e9 : Double.POSITIVE_INFINITY;
            counts[i] = cumulative[i] - (i == 0 ? 0 : cumulative[i - 1]);
        }
        return HistogramSnapshot.HistogramDataPointSnapshot.builder().labels(labels)
                .classicHistogramBuckets(ClassicHistogramBuckets.of(upper, counts)).sum(s.sumNanos() / 1e9).build();
    }
}
