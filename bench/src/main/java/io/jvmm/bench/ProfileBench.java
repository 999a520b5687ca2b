package io.jvmm.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;

/**
 * Profiles of the two paths where jvmm is slowest against its peer, with JFR (in the JDK): the
 * exit round trip (in this JVM, the vCPU thread of the exitloop guest), and {@code info registers
 * -a} in the service (a real {@code ./vmm serve}, recording started and dumped with jcmd).
 */
final class ProfileBench {
    private ProfileBench() {
    }

    static Section run(Env env) throws Exception {
        Section s = new Section("profile", "Profiles");
        exitProfile(env, s);
        monitorProfile(env, s);
        StateReadBench.run(env, s);
        return s;
    }

    static final Map<String, String> EXIT_CATEGORIES = new LinkedHashMap<>();
    static final Map<String, String> EXIT_INCLUSIVE = new LinkedHashMap<>();

    static {
        EXIT_CATEGORIES.put("metrics: Micrometer", "io.micrometer.");
        EXIT_CATEGORIES.put("metrics: Prometheus client", "io.prometheus.");
        EXIT_CATEGORIES.put("metrics: jvmm glue (MachineMetrics, LockMetricsObserver)", "io.jvmm.core.metrics.");
        EXIT_CATEGORIES.put("Big Lock (BigLock, LockSite)", "io.jvmm.core.lock.");
        EXIT_CATEGORIES.put("KVM binding (VcpuFd, KvmRunPage, RunShim)", "io.jvmm.kvm.");
        EXIT_CATEGORIES.put("JNA", "com.sun.jna.");
        EXIT_CATEGORIES.put("vCPU loop (Vcpu, VcpuState)", "io.jvmm.core.vcpu.");
        EXIT_CATEGORIES.put("bus (Bus, devices)", "io.jvmm.core.devices.");
        EXIT_CATEGORIES.put("Machine", "io.jvmm.core.machine.");
        EXIT_CATEGORIES.put("JDK: ReentrantLock/AQS", "java.util.concurrent.locks.");
        EXIT_CATEGORIES.put("JDK: LongAdder/atomics", "java.util.concurrent.atomic.");
        EXIT_CATEGORIES.put("JDK: ConcurrentHashMap", "java.util.concurrent.ConcurrentHashMap");
        EXIT_CATEGORIES.put("JDK: strings (concatenation)", "java.lang.String");
        EXIT_CATEGORIES.put("JDK: other", "java.");
        EXIT_CATEGORIES.put("JDK: internal", "jdk.");

        EXIT_INCLUSIVE.put("LockMetricsObserver.acquired + released (2 histogram records per exit)",
                "io.jvmm.core.metrics.LockMetricsObserver");
        EXIT_INCLUSIVE.put("Machine.exitObserved -> MachineMetrics.exit (exit counter)", "io.jvmm.core.metrics.MachineMetrics.exit");
        EXIT_INCLUSIVE.put("BigLock.lock", "io.jvmm.core.lock.BigLock.lock");
        EXIT_INCLUSIVE.put("BigLock.unlock", "io.jvmm.core.lock.BigLock.unlock");
        EXIT_INCLUSIVE.put("VcpuFd.run (the KVM_RUN call and the exit decode)", "io.jvmm.kvm.VcpuFd.run");
        EXIT_INCLUSIVE.put("KvmRunPage.decode (kvm_run to a VcpuExit record)", "io.jvmm.kvm.KvmRunPage.decode");
        EXIT_INCLUSIVE.put("Bus.find/write (dispatch, unclaimed count)", "io.jvmm.core.devices.Bus.");
        EXIT_INCLUSIVE.put("VcpuState.flush/invalidate (RUNTIME writeback check)", "io.jvmm.core.vcpu.VcpuState.");
        EXIT_INCLUSIVE.put("String concatenation (lock-check messages)", "java.lang.StringConcatHelper");
    }

    static void exitProfile(Env env, Section s) throws Exception {
        byte[] elf = Files.readAllBytes(env.exitElf());
        int n = env.count(400_000, 60_000);
        ExitBench.jvmmRun(elf, n / 4, ExitBench.Variant.DEFAULT);
        Path file = env.work.resolve("exit.jfr");
        double perExit;
        try (Recording r = new Recording(Configuration.create(JfrSummary.writeSettings(env.work, "1 ms")))) {
            r.start();
            perExit = ExitBench.jvmmRun(elf, n, ExitBench.Variant.DEFAULT);
            r.stop();
            r.dump(file);
        }
        JfrSummary jfr = JfrSummary.read(file);
        Predicate<String> vcpu = t -> t.equals("vcpu-0");
        List<RecordedEvent> java = jfr.samples("jdk.ExecutionSample", vcpu);
        List<RecordedEvent> nat = jfr.samples("jdk.NativeMethodSample", vcpu);
        int total = java.size() + nat.size();
        double javaShare = (double) java.size() / Math.max(1, total);
        env.log("profile: exit path: %d Java and %d native samples on vcpu-0; %.0f ns per exit under JFR", java.size(),
                nat.size(), perExit);
        s.md("### Exit round trip (the vCPU thread)\n\nJFR in the benchmark's JVM, execution and native-method samples "
                + "every 1 ms, on `vcpu-0` while it runs the exitloop guest for " + n + " exits through the full path "
                + "(product default configuration; " + F.f(perExit / 1000, 2) + " us per exit under the profiler). The "
                + "thread was sampled " + total + " times: " + nat.size() + " times in native code (" + F.f(100 - 100
                * javaShare, 1) + "%: the JNI call of `ioctl(KVM_RUN)`, that is the call itself and the kernel's "
                + "exit round trip, which the C loop pays too) "
                + "and " + java.size() + " times in Java (" + F.f(100 * javaShare, 1) + "%, about "
                + F.f(javaShare * perExit / 1000, 2) + " us per exit).");
        s.md("Java samples of `vcpu-0` by the top frame's component (self time):\n\n"
                + JfrSummary.table("component", JfrSummary.selfCategories(java, EXIT_CATEGORIES), java.size(), 20));
        s.md("Java samples of `vcpu-0` whose stack contains (inclusive time; rows overlap):\n\n"
                + JfrSummary.table("method", JfrSummary.sorted(JfrSummary.inclusive(java, EXIT_INCLUSIVE)), java.size(), 20));
        s.md("Hottest Java frames (self):\n\n" + JfrSummary.table("frame", JfrSummary.selfFrames(java), java.size(), 15));
        s.md("Native samples by method:\n\n" + JfrSummary.table("frame", JfrSummary.selfFrames(nat), nat.size(), 5));
        s.add("profile: Java share of the vCPU thread's samples in the exit loop (per exit)", javaShare * perExit / 1000,
                null, "us");
    }

    /** The phases of a register read, as {@code jvmm_vcpu_register_read_seconds} tags them. */
    static final String[] READ_PHASES = {"claim", "read", "handback"};

    static void monitorProfile(Env env, Section s) throws Exception {
        int requests = env.count(1000, 200);
        int warmup = env.count(2000, 50);
        Path settings = JfrSummary.writeSettings(env.work, "2 ms");
        Predicate<String> service = t -> !t.startsWith("vcpu-");
        Map<String, String> cats = new LinkedHashMap<>();
        cats.put("monitor: RegisterDump (text formatting)", "io.jvmm.monitor.service.RegisterDump");
        cats.put("monitor: other jvmm service code", "io.jvmm.monitor.");
        cats.put("vmm-core: Machine (pause, park, resume)", "io.jvmm.core.machine.");
        cats.put("vmm-core: vCPU state reads", "io.jvmm.core.vcpu.");
        cats.put("kvm binding (ioctls, struct decode)", "io.jvmm.kvm.");
        cats.put("JNA", "com.sun.jna.");
        cats.put("Jackson (JSON)", "com.fasterxml.jackson.");
        cats.put("Quarkus REST / RESTEasy Reactive", "org.jboss.resteasy.");
        cats.put("Quarkus", "io.quarkus.");
        cats.put("Vert.x", "io.vertx.");
        cats.put("Netty", "io.netty.");
        cats.put("Micrometer", "io.micrometer.");
        cats.put("JDK: strings/formatting", "java.lang.String");
        cats.put("JDK: java.util.Formatter", "java.util.Formatter");
        cats.put("JDK: other", "java.");
        cats.put("JDK: internal", "jdk.");
        Table summary = new Table("vCPUs", "client round trip (p50 / mean)", "`info status` round trip (p50 / mean)",
                "service: Monitor.execute (mean)", "claim: kick and way out of the guest (mean per vCPU)",
                "read: KVM_GET_* (mean per vCPU)", "hand-back to the request thread (mean)",
                "outside Monitor.execute (mean)");
        StringBuilder frames = new StringBuilder();
        // Per size: client mean, info status mean, Monitor.execute mean, claim, read, hand-back (ms).
        Map<Integer, double[]> split = new LinkedHashMap<>();
        try (VmmService svc = VmmService.start(env, "serve-profile", null)) {
            for (int cpus : new int[] {1, 8}) {
                String id = svc.create("smp-work", cpus, "report_ms=1000");
                try {
                    svc.awaitConsole(id, "CPUs up", Duration.ofSeconds(60));
                    for (int i = 0; i < warmup; i++) {
                        svc.hmp(id, i % 2 == 0 ? MonitorBench.COMMAND : "info status");
                        Thread.sleep(5);
                    }
                    // The phases first, without the profiler (JFR's sampling slows every thread a
                    // little); then the same load again under JFR, for the CPU samples only.
                    double[] before = svc.commandTimer(MonitorBench.COMMAND);
                    double[][] phasesBefore = phases(svc);
                    List<Double> lat = timed(svc, id, MonitorBench.COMMAND, requests,
                            out -> MonitorBench.check(out, cpus, "jvmm"));
                    double[] after = svc.commandTimer(MonitorBench.COMMAND);
                    double[][] phasesAfter = phases(svc);
                    List<Double> floor = timed(svc, id, "info status", requests / 4, out -> { });
                    Path file = env.work.resolve("monitor-" + cpus + ".jfr");
                    Files.deleteIfExists(file);
                    svc.jcmd("JFR.start", "name=bench", "settings=" + settings);
                    timed(svc, id, MonitorBench.COMMAND, requests, out -> MonitorBench.check(out, cpus, "jvmm"));
                    svc.jcmd("JFR.dump", "name=bench", "filename=" + file);
                    svc.jcmd("JFR.stop", "name=bench");
                    JfrSummary jfr = JfrSummary.read(file);
                    double clientMean = lat.stream().mapToDouble(d -> d).average().orElse(0);
                    double floorMean = floor.stream().mapToDouble(d -> d).average().orElse(0);
                    double serverMean = meanMs(before, after);
                    double[] phaseMs = new double[READ_PHASES.length];
                    for (int i = 0; i < READ_PHASES.length; i++) {
                        phaseMs[i] = meanMs(phasesBefore[i], phasesAfter[i]);
                    }
                    split.put(cpus, new double[] {clientMean, floorMean, serverMean, phaseMs[0], phaseMs[1], phaseMs[2]});
                    summary.row(cpus, F.f(Stats.median(lat), 2) + " / " + F.f(clientMean, 2) + " ms",
                            F.f(Stats.median(floor), 2) + " / " + F.f(floorMean, 2) + " ms", F.f(serverMean, 2) + " ms",
                            F.f(phaseMs[0], 3) + " ms", F.f(phaseMs[1], 3) + " ms", F.f(phaseMs[2], 3) + " ms",
                            F.f(clientMean - serverMean, 2) + " ms");
                    List<RecordedEvent> java = jfr.samples("jdk.ExecutionSample", service);
                    List<RecordedEvent> vcpuJava = jfr.samples("jdk.ExecutionSample", t -> t.startsWith("vcpu-"));
                    frames.append("Service threads (not vCPU threads), Java samples every 2 ms during ").append(requests)
                            .append(" requests, ").append(cpus).append(" vCPU(s): ").append(java.size())
                            .append(" samples (vCPU threads: ").append(vcpuJava.size()).append(").\n\n")
                            .append(JfrSummary.table("component (top frame)", JfrSummary.selfCategories(java, cats),
                                    java.size(), 12)).append('\n')
                            .append(JfrSummary.table("hottest frames", JfrSummary.selfFrames(java), java.size(), 10))
                            .append('\n');
                    env.log("profile: monitor %d vCPUs: client p50 %.2f mean %.2f ms, info status mean %.2f ms, "
                            + "service %.2f ms, claim %.3f read %.3f hand-back %.3f ms", cpus, Stats.median(lat),
                            clientMean, floorMean, serverMean, phaseMs[0], phaseMs[1], phaseMs[2]);
                } finally {
                    svc.destroy(id);
                }
            }
        }
        s.md("### `info registers -a` in the service\n\nA `./vmm serve` process with a JFR recording started by "
                + "`jcmd PID JFR.start` (Java samples every 2 ms); after " + warmup + " warm-up commands, " + requests
                + " requests 5 ms apart on a VM running `smp-work`, then " + requests / 4 + " of `info status` (answered "
                + "on the I/O thread, touching no vCPU), both timed without the profiler; then " + requests
                + " requests more under JFR, for the CPU samples. The service's own timings come from `/q/metrics`: "
                + "`jvmm_monitor_command_seconds` around `Monitor.execute` (the register reads and the text "
                + "formatting), and `jvmm_vcpu_register_read_seconds` in its three phases: `claim`, from the read "
                + "being queued to the vCPU thread taking it (the kick, and the vCPU's way out of KVM_RUN); `read`, the "
                + "KVM_GET_* calls on the vCPU thread; `handback`, from the last vCPU's answer to the request thread "
                + "running again. With several vCPUs the claims and reads run in parallel, so they are per vCPU and do "
                + "not add up to the command.");
        s.md(summary.markdown());
        s.md(readingTheSplit(split.get(1), split.get(8)));
        s.md(frames.toString());
    }

    /** The paragraph under the split, from its one- and eight-vCPU rows (see {@code split} above). */
    static String readingTheSplit(double[] one, double[] eight) {
        return "Reading the table. With one vCPU, `Monitor.execute` (" + ms(one[2]) + ") is the read's three phases, "
                + ms(one[3]) + " + " + ms(one[4]) + " + " + ms(one[5]) + ", and the text formatting. The read itself, "
                + "nine KVM_GET_* ioctls, is " + (one[4] >= Math.max(one[3], one[5]) ? "the largest" : "one of them")
                + ": a vCPU ioctl costs about 5 us on this PVM host even from C, and the read's nine take about "
                + "50 us from C or through jvmm's binding on a vCPU that is not running (the next table); just "
                + "after the guest ran, with its caches cold, they take longer. Most of the round trip ("
                + ms(one[0]) + " mean) is outside "
                + "the service's code: " + ms(one[0] - one[2]) + ", against " + ms(one[1]) + " for a whole `info status`, "
                + "which touches no vCPU and is answered on the I/O thread. Both are the HTTP request's thread "
                + "hand-offs on a host whose cores are idle between commands (section 9 measures the same request "
                + "5 ms apart on the JDK's own HTTP server); a register read adds the hop to a worker and back and a "
                + "1.5 KB answer. With eight vCPU threads spinning in the guest on two cores the phases change "
                + "character: a kicked vCPU that has no core leaves the guest only at its next time slice (claim "
                + ms(eight[3]) + " per vCPU), and the request thread waits for a core to run again after the last "
                + "answer (hand-back " + ms(eight[5]) + "); the reads stay short (" + ms(eight[4]) + "). The CPU samples "
                + "of the service threads below show where their own CPU time goes: mostly the HTTP/JSON stack.";
    }

    static String ms(double millis) {
        return F.f(millis, millis < 1 ? 3 : 2) + " ms";
    }

    /** {@code n} runs of {@code command}, 5 ms apart, each answer given to {@code check}; their round trips in ms. */
    static List<Double> timed(VmmService svc, String id, String command, int n,
                              java.util.function.Consumer<String> check) throws Exception {
        List<Double> lat = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            String out = svc.hmp(id, command);
            lat.add((System.nanoTime() - t0) / 1e6);
            check.accept(out);
            Thread.sleep(5);
        }
        return lat;
    }

    /** The mean in ms of what a histogram recorded between two {count, sum in seconds} readings. */
    static double meanMs(double[] before, double[] after) {
        return (after[1] - before[1]) / (after[0] - before[0]) * 1000;
    }

    /** {count, sum in seconds} of each register-read phase, in {@link #READ_PHASES} order. */
    static double[][] phases(VmmService svc) throws java.io.IOException {
        double[][] out = new double[READ_PHASES.length][];
        for (int i = 0; i < READ_PHASES.length; i++) {
            out[i] = svc.histogram("jvmm_vcpu_register_read_seconds", "phase=\"" + READ_PHASES[i] + "\"");
        }
        return out;
    }
}
