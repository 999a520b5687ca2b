package io.jvmm.bench;

import io.jvmm.core.vcpu.KvmVcpuBackend;
import io.jvmm.core.vcpu.VcpuState;
import io.jvmm.core.vcpu.WritebackPolicy;
import io.jvmm.kvm.Kvm;
import io.jvmm.kvm.KvmCap;
import io.jvmm.kvm.VmFd;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code read} phase of a register read on its own: {@link VcpuState#read} (nine KVM_GET_*
 * ioctls through the kvm-native binding, decoded into a snapshot) in this JVM, against the C loop
 * {@code stateread} making the same ioctls into buffers allocated once, in alternating rounds. A
 * vCPU that never ran, so both read the same state.
 */
final class StateReadBench {
    private StateReadBench() {
    }

    /** Adds the comparison to {@code s}. */
    static void run(Env env, Section s) throws Exception {
        int reads = env.count(20_000, 2_000);
        int rounds = env.count(5, 2);
        List<Double> ours = new ArrayList<>();
        List<Double> peer = new ArrayList<>();
        try (Kvm kvm = Kvm.open(); VmFd vm = kvm.createVm()) {
            vm.createIrqchip();
            try (KvmVcpuBackend backend = new KvmVcpuBackend(vm.createVcpu(0), kvm.hasCapability(KvmCap.XSAVE))) {
                VcpuState state = new VcpuState("bench-read", 0, backend, WritebackPolicy.GATED_BY_LEVEL,
                        kvm.msrIndexList(), false);
                for (int r = 0; r < rounds; r++) {
                    for (int i = 0; i < reads / 2; i++) { // warm-up, as the C loop's first half
                        state.invalidate();
                        state.read();
                    }
                    long t0 = System.nanoTime();
                    for (int i = 0; i < reads; i++) {
                        state.invalidate();
                        state.read();
                    }
                    ours.add((System.nanoTime() - t0) / (double) reads);
                    String out = Env.capture(List.of(env.work.resolve("stateread").toString(), Integer.toString(reads)),
                            Duration.ofMinutes(2));
                    peer.add(Double.parseDouble(out.replaceAll("(?s).*ns_per_read=([0-9.]+).*", "$1")));
                }
            }
        }
        double o = Stats.median(ours);
        double p = Stats.median(peer);
        env.log("profile: register read on the vCPU thread: jvmm %.1f us, C %.1f us", o / 1e3, p / 1e3);
        s.add("register read (nine KVM_GET_* ioctls) on the vCPU thread, jvmm's VcpuState.read vs a C loop", o / 1e3,
                p / 1e3, "us");
        Table t = new Table("figure", "jvmm (`VcpuState.read`)", "C loop (`stateread`)", "ratio");
        t.row("one register read, nine ioctls (median of " + rounds + " rounds of " + reads + ")",
                F.f(o / 1e3, 1) + " us", F.f(p / 1e3, 1) + " us", F.ratio(o / p));
        s.md("### The `read` phase on its own\n\nOne vCPU that never ran, read " + reads + " times per round in this "
                + "JVM through `VcpuState.read` (the product's read: KVM_GET_VCPU_EVENTS, MP_STATE, REGS, SREGS, "
                + "XSAVE, XCRS, DEBUGREGS, MSRS, LAPIC through the kvm-native binding, decoded into a snapshot), and by "
                + "`bench/src/main/c/stateread.c`, the same ioctls in the same order into buffers allocated once; "
                + "rounds alternate, each side warmed up by half as many reads first.");
        s.md(t.markdown());
        s.md("Where the time goes: a vCPU ioctl on this PVM host costs about 5 us even from C, mostly the kernel "
                + "loading and putting the vCPU around the copy; jvmm adds the binding's call, the buffer's monitor and "
                + "the decoding into records. Before commit 290a9f0 the binding also allocated a native buffer "
                + "(and registered its cleaner) for every ioctl: the same read took 75-95 us against C's 47-50 us, "
                + "measured by hand.");
    }
}
