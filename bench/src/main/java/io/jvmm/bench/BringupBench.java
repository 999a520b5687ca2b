package io.jvmm.bench;

import io.jvmm.core.machine.MachineExit;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Measurement 3, SMP bring-up: wall time from process start to guest exit for smp-boot with 1,
 * 2, 4 and 8 vCPUs, {@code ./vmm run -smp N smp-boot} against QEMU with the same image; the same
 * for the exitloop guest with n=0 (it exits at its first instructions, so the figure is the time
 * to reach guest code plus teardown); and, in this JVM, {@code Machine.bootNanos()} (creation to
 * the guest's first POST write) and creation to exit.
 */
final class BringupBench {
    static final int[] SIZES = {1, 2, 4, 8};

    private BringupBench() {
    }

    /** Runs a command to its end; returns the wall time in nanoseconds after checking the status. */
    static long timeProcess(List<String> cmd, int expectedStatus, Path log) throws Exception {
        return timeProcess(cmd, expectedStatus, log, Map.of());
    }

    /** As above, with {@code environment} added to the process's environment. */
    static long timeProcess(List<String> cmd, int expectedStatus, Path log, Map<String, String> environment)
            throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(environment);
        long t0 = System.nanoTime();
        Process p = pb.start();
        p.getOutputStream().close();
        Duration limit = Env.patience(Duration.ofSeconds(120));
        if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", cmd) + " did not finish within " + limit.toSeconds() + " s");
        }
        long t = System.nanoTime() - t0;
        if (p.exitValue() != expectedStatus) {
            throw new IllegalStateException(String.join(" ", cmd) + " exited with " + p.exitValue() + ", expected "
                    + expectedStatus + "; see " + log);
        }
        return t;
    }

    static Section run(Env env) throws Exception {
        Section s = new Section("bringup", "SMP bring-up and boot");
        int reps = env.count(5, 1);
        Path smpBoot = env.guest("smp-boot");
        Path log = env.work.resolve("bringup.log");
        Map<Integer, List<Double>> ours = new LinkedHashMap<>();
        Map<Integer, List<Double>> peer = new LinkedHashMap<>();
        List<Double> entryOurs = new ArrayList<>();
        List<Double> entryPeer = new ArrayList<>();
        for (int n : SIZES) {
            ours.put(n, new ArrayList<>());
            peer.put(n, new ArrayList<>());
        }
        String vmm = env.launcher().toString();
        // One untimed run of each warms the page cache (JDK, jars, QEMU, SeaBIOS).
        timeProcess(List.of(vmm, "run", "-smp", "2", "smp-boot"), 0, log);
        timeProcess(QemuVm.command(smpBoot, 2, null, null), 1, log);
        for (int r = 0; r < reps; r++) {
            for (int n : SIZES) {
                boolean oursFirst = (r + n) % 2 == 0;
                for (int side = 0; side < 2; side++) {
                    if ((side == 0) == oursFirst) {
                        ours.get(n).add(timeProcess(List.of(vmm, "run", "-smp", Integer.toString(n), "smp-boot"), 0, log)
                                / 1e6);
                    } else {
                        peer.get(n).add(timeProcess(QemuVm.command(smpBoot, n, null, null), 1, log) / 1e6);
                    }
                }
            }
            boolean oursFirst = r % 2 == 0;
            for (int side = 0; side < 2; side++) {
                if ((side == 0) == oursFirst) {
                    entryOurs.add(timeProcess(List.of(vmm, "run", "-append", "n=0", env.exitElf().toString()), 0, log)
                            / 1e6);
                } else {
                    entryPeer.add(timeProcess(QemuVm.command(env.exitElf(), 1, "n=0", null), 1, log) / 1e6);
                }
            }
            env.log("bringup: round %d/%d: 8 vCPUs jvmm %.0f ms, QEMU %.0f ms", r + 1, reps,
                    ours.get(8).get(r), peer.get(8).get(r));
        }
        // In this JVM: Machine.bootNanos() and creation to exit (after one warm-up run).
        Map<Integer, List<Double>> boot = new LinkedHashMap<>();
        Map<Integer, List<Double>> createToExit = new LinkedHashMap<>();
        runInProcess(2);
        for (int n : SIZES) {
            boot.put(n, new ArrayList<>());
            createToExit.put(n, new ArrayList<>());
            for (int r = 0; r < reps; r++) {
                long t0 = System.nanoTime();
                long b = runInProcess(n);
                createToExit.get(n).add((System.nanoTime() - t0) / 1e6);
                boot.get(n).add(b / 1e6);
            }
        }

        Table t = new Table("vCPUs", "./vmm run (median)", "QEMU (median)", "ratio", "jvmm runs (ms)", "QEMU runs (ms)",
                "in-process: creation to first guest instruction", "in-process: creation to guest exit");
        boolean allMet = true;
        StringBuilder details = new StringBuilder();
        for (int n : SIZES) {
            double o = Stats.median(ours.get(n));
            double p = Stats.median(peer.get(n));
            s.add("smp-boot process start to guest exit, " + n + " vCPUs (./vmm run vs QEMU)", o, p, "ms");
            t.row(n, F.f(o, 0) + " ms", F.f(p, 0) + " ms", F.ratio(o / p), list(ours.get(n)), list(peer.get(n)),
                    F.f(Stats.median(boot.get(n)), 2) + " ms", F.f(Stats.median(createToExit.get(n)), 1) + " ms");
            allMet &= o < p;
            details.append(details.length() == 0 ? "" : "; ").append(n).append(" vCPUs ").append(F.ratio(o / p));
        }
        for (int n : SIZES) {
            s.add("Machine.bootNanos (creation to first guest instruction, in-process), " + n + " vCPUs",
                    Stats.median(boot.get(n)), null, "ms");
        }
        double eo = Stats.median(entryOurs);
        double ep = Stats.median(entryPeer);
        s.add("process start to guest exit, guest that exits at entry (./vmm run vs QEMU)", eo, ep, "ms");
        s.md("Command: `bench/run` (section `bringup`). " + reps + " rounds; in each, every size runs once under "
                + "each VMM, the order alternating. Wall time is measured by the benchmark from `fork` to the "
                + "process's exit, so it includes JVM start-up for jvmm and SeaBIOS for QEMU. The guests' exit "
                + "status is checked (0 for jvmm, (0<<1)|1 for QEMU). The in-process columns create a `Machine` in "
                + "the benchmark's JVM (warm, after one untimed run): `Machine.bootNanos()` is creation to the "
                + "guest's first POST-port write, its first instruction.");
        s.md(t.markdown());
        s.md(new Table("guest", "./vmm run (median)", "QEMU (median)", "ratio", "jvmm runs (ms)", "QEMU runs (ms)")
                .row("exitloop n=0 (exits at its first instructions)", F.f(eo, 0) + " ms", F.f(ep, 0) + " ms",
                        F.ratio(eo / ep), list(entryOurs), list(entryPeer)).markdown());
        double guestOurs = Stats.median(ours.get(8)) - eo;
        double guestPeer = Stats.median(peer.get(8)) - ep;
        s.md("Where the time goes. Both totals are almost all fixed start-up cost, not SMP bring-up: the guest that "
                + "exits at its first instructions takes " + F.f(eo, 0) + " ms under `./vmm run` and " + F.f(ep, 0)
                + " ms under QEMU, and the 8-vCPU smp-boot adds only " + F.f(guestOurs, 0) + " ms and "
                + F.f(guestPeer, 0) + " ms to that (the guest's own work: ACPI and MADT checks, INIT, a 10 ms wait, "
                + "SIPI, SIPI, the APs' check-in, a 20 ms wait for stragglers, all at ~2.5 M emulated instructions/s). "
                + "jvmm's fixed cost is the JVM: start-up, class loading and interpretation of the command line and "
                + "loader code (in the warm in-process runs, creation to the first guest instruction is only "
                + F.f(Stats.median(boot.get(1)), 1) + " to " + F.f(Stats.median(boot.get(8)), 1) + " ms, growing with "
                + "the vCPUs created, and creation to exit " + F.f(Stats.median(createToExit.get(8)), 0) + " ms for 8 "
                + "vCPUs). QEMU's is SeaBIOS: QEMU boots the firmware, which runs through KVM's instruction emulator "
                + "on this PVM host before the Multiboot option ROM hands over to the guest.");
        s.md("Target: faster than QEMU at every size. Result: " + F.verdict(allMet) + " (ratios: " + details + ").");
        s.target("SMP bring-up (process start to guest exit) faster than QEMU at every size", allMet,
                details.toString());
        return s;
    }

    /** Creates, starts and runs smp-boot to its end in this JVM; returns bootNanos. */
    static long runInProcess(int cpus) throws Exception {
        try (InProcessVm vm = new InProcessVm("smp-boot", cpus, null)) {
            vm.machine.start();
            MachineExit e = vm.machine.awaitExit(60_000);
            if (e == null || !e.passed()) {
                throw new IllegalStateException("smp-boot with " + cpus + " vCPUs in-process: " + e + "\n" + vm.console());
            }
            return vm.machine.bootNanos();
        }
    }

    static String list(List<Double> v) {
        StringBuilder b = new StringBuilder();
        for (double d : v) {
            b.append(b.length() == 0 ? "" : " ").append(F.f(d, 0));
        }
        return b.toString();
    }
}
