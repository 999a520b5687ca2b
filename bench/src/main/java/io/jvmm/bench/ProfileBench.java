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

    /**
     * The frames where a request thread waits for the vCPUs to park (a {@code --snapshot} read) and
     * for each vCPU's answer. Looked up in the code, so that a rename fails here instead of
     * silently reading zero.
     */
    static final String PARK_WAIT = frame(io.jvmm.core.vcpu.CpuManager.class, "awaitParked");
    static final String READ_WAIT = frame(io.jvmm.core.vcpu.PendingRequest.class, "await");

    static String frame(Class<?> c, String method) {
        if (java.util.Arrays.stream(c.getDeclaredMethods()).noneMatch(m -> m.getName().equals(method))) {
            throw new IllegalStateException(c.getName() + " has no method " + method
                    + "; the profile's wait columns need the frame where a request waits");
        }
        return c.getSimpleName() + "." + method;
    }

    static void monitorProfile(Env env, Section s) throws Exception {
        int requests = env.count(1000, 200);
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
        Table summary = new Table("vCPUs", "client round trip (mean)", "service: Monitor.execute (mean)",
                "of which waiting for vCPUs to park", "of which waiting for register reads", "HTTP + JSON + dispatch");
        StringBuilder frames = new StringBuilder();
        try (VmmService svc = VmmService.start(env, "serve-profile", null)) {
            for (int cpus : new int[] {1, 8}) {
                String id = svc.create("smp-work", cpus, "report_ms=1000");
                try {
                    svc.awaitConsole(id, "CPUs up", Duration.ofSeconds(60));
                    for (int i = 0; i < env.count(300, 50); i++) {
                        svc.hmp(id, MonitorBench.COMMAND);
                        Thread.sleep(5);
                    }
                    Path file = env.work.resolve("monitor-" + cpus + ".jfr");
                    Files.deleteIfExists(file);
                    svc.jcmd("JFR.start", "name=bench", "settings=" + settings);
                    double[] before = svc.commandTimer(MonitorBench.COMMAND);
                    List<Double> lat = new ArrayList<>();
                    for (int i = 0; i < requests; i++) {
                        long t0 = System.nanoTime();
                        String out = svc.hmp(id, MonitorBench.COMMAND);
                        lat.add((System.nanoTime() - t0) / 1e6);
                        MonitorBench.check(out, cpus, "jvmm");
                        Thread.sleep(5);
                    }
                    double[] after = svc.commandTimer(MonitorBench.COMMAND);
                    svc.jcmd("JFR.dump", "name=bench", "filename=" + file);
                    svc.jcmd("JFR.stop", "name=bench");
                    JfrSummary jfr = JfrSummary.read(file);
                    double clientMean = lat.stream().mapToDouble(d -> d).average().orElse(0);
                    double serverMean = (after[1] - before[1]) / (after[0] - before[0]) * 1000;
                    double park = jfr.waits("jdk.JavaMonitorWait", service, PARK_WAIT).toNanos() / 1e6
                            / requests;
                    double read = jfr.waits("jdk.ThreadPark", service, READ_WAIT).toNanos() / 1e6 / requests;
                    summary.row(cpus, F.f(clientMean, 2) + " ms", F.f(serverMean, 2) + " ms", F.f(park, 2) + " ms",
                            F.f(read, 2) + " ms", F.f(clientMean - serverMean, 2) + " ms");
                    List<RecordedEvent> java = jfr.samples("jdk.ExecutionSample", service);
                    List<RecordedEvent> vcpuJava = jfr.samples("jdk.ExecutionSample", t -> t.startsWith("vcpu-"));
                    frames.append("Service threads (not vCPU threads), Java samples every 2 ms during ").append(requests)
                            .append(" requests, ").append(cpus).append(" vCPU(s): ").append(java.size())
                            .append(" samples (vCPU threads: ").append(vcpuJava.size()).append(").\n\n")
                            .append(JfrSummary.table("component (top frame)", JfrSummary.selfCategories(java, cats),
                                    java.size(), 12)).append('\n')
                            .append(JfrSummary.table("hottest frames", JfrSummary.selfFrames(java), java.size(), 10))
                            .append('\n');
                    env.log("profile: monitor %d vCPUs: client %.2f ms, service %.2f ms, park wait %.2f ms, read wait %.2f ms",
                            cpus, clientMean, serverMean, park, read);
                } finally {
                    svc.destroy(id);
                }
            }
        }
        s.md("### `info registers -a` in the service\n\nA `./vmm serve` process with a JFR recording started by "
                + "`jcmd PID JFR.start` (Java and native samples every 2 ms, every `Object.wait` and `LockSupport.park` "
                + "with its duration); " + requests + " requests 5 ms apart on a VM running `smp-work`. The service's own "
                + "timing is `jvmm_monitor_command_seconds` from `/q/metrics` (around `Monitor.execute`: "
                + "`Machine.readRegisters` and the text formatting); the waits are the JFR wait events of the "
                + "request threads in `" + PARK_WAIT + "` (a `--snapshot` read only: kick every vCPU, wait until "
                + "each has left KVM_RUN and parked; the default `-a` raises no pause, so this is near zero) and in "
                + "`" + READ_WAIT + "` (the register reads queued on each vCPU thread, each done once that vCPU is out of "
                + "the guest), per request.");
        s.md(summary.markdown());
        s.md("Reading the table: the service-side part (`Monitor.execute`) is small and mostly waiting for the vCPUs "
                + "(the kicks and the reads on the vCPUs' own threads); the larger part is outside it, in the HTTP "
                + "request's path through Vert.x's event loop, Quarkus REST's hand-off to a worker thread, Jackson and "
                + "back. That part grows with the vCPU count although the HTTP work does not: with 8 vCPU threads "
                + "spinning in the guest on 2 cores, the event-loop and worker threads wait for a CPU at every hand-off "
                + "(each vCPU runs again as soon as its own read is done, before the answer is written). The CPU samples of "
                + "the service threads below show where their own CPU time goes: mostly the HTTP/JSON stack.");
        s.md(frames.toString());
    }
}
