package io.jvmm.bench;

import io.jvmm.core.boot.MultibootImage;
import io.jvmm.core.devices.BusDevice;
import io.jvmm.core.machine.Machine;
import io.jvmm.core.machine.MachineConfig;
import io.jvmm.core.machine.MachineExit;
import io.jvmm.kvm.RunPath;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Measurement 1, the exit round trip: the exitloop guest's N OUTs to an unclaimed port, timed
 * between its two marker writes, through jvmm's full path (Machine, the vCPU loop, the Big Lock,
 * bus dispatch, metrics) in this JVM, and through the bare C KVM_RUN loop (bench/src/main/c).
 */
final class ExitBench {
    /** The guest's ports (bench/src/main/asm/exitloop.S). */
    static final int LOOP_PORT = 0x700;
    static final int MARK_PORT = 0x704;

    private static final String MASK = "C + KVM_SET_SIGNAL_MASK (the kick technique of the JNA fallback)";
    private static final String BINDING_JNA = "Java: kvm-native binding, JNA fallback (KVM_RUN through JNA, kicks by signal mask)";
    private static final String BINDING = "Java: kvm-native binding as jvmm runs it (JNI shim, kicks by no-op handler)";

    private ExitBench() {
    }

    /** How jvmm is configured for one variant of the run. */
    enum Variant {
        DEFAULT("jvmm (product default: lock checks on, Prometheus registry)"),
        CHECKS_OFF("jvmm, -Djvmm.lock.checks=false"),
        NO_METRICS("jvmm, metrics to a no-op registry");

        final String label;

        Variant(String label) {
            this.label = label;
        }

        MeterRegistry registry() {
            return this == NO_METRICS ? new CompositeMeterRegistry() : new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        }

        boolean checks() {
            return this != CHECKS_OFF;
        }
    }

    /** Records when the guest writes the marker port; called on the vCPU thread under the Big Lock. */
    static final class Marker implements BusDevice {
        private final long[] times = new long[2];
        private int writes;

        @Override
        public long read(long offset, int size, int cpu) {
            return 0;
        }

        @Override
        public void write(long offset, int size, long value, int cpu) {
            long t = System.nanoTime();
            if (writes < 2) {
                times[writes] = t;
            }
            writes++;
        }

        synchronized long loopNanos() {
            if (writes != 2) {
                throw new IllegalStateException("the guest wrote the marker port " + writes + " times, not 2");
            }
            return times[1] - times[0];
        }
    }

    /** One run of the guest under jvmm; returns the loop's nanoseconds per exit. */
    static double jvmmRun(byte[] elf, int n, Variant variant) throws Exception {
        MultibootImage image = MultibootImage.parse("exitloop.elf", elf);
        MachineConfig config = MachineConfig.builder(image).id("bench-exit").commandLine("exitloop.elf n=" + n)
                .memorySize(64L << 20).meterRegistry(variant.registry()).lockChecks(variant.checks()).build();
        Machine m = Machine.create(config);
        try {
            Marker marker = new Marker();
            m.pio().add(MARK_PORT, 4, "bench-marker", marker);
            m.start();
            MachineExit exit = m.awaitExit(Duration.ofMinutes(5).toMillis());
            if (exit == null || exit.kind() != MachineExit.Kind.GUEST_EXIT || exit.code() != 0) {
                throw new IllegalStateException("exitloop under jvmm ended badly: " + exit);
            }
            long unclaimed = m.pio().unclaimedWrites();
            if (unclaimed != n) {
                throw new IllegalStateException("expected " + n + " unclaimed writes, the bus counted " + unclaimed);
            }
            return n == 0 ? 0 : (double) marker.loopNanos() / n;
        } finally {
            m.destroy();
        }
    }

    /** One run of the C peer; returns its loop's nanoseconds per exit. */
    static double cRun(Env env, int n, boolean sigmask) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(env.exitC().toString(), env.exitElf().toString(), Integer.toString(n)));
        if (sigmask) {
            cmd.add("--sigmask");
        }
        String out = Env.capture(cmd, Duration.ofMinutes(5));
        for (String f : out.trim().split("\\s+")) {
            if (f.startsWith("loop_ns=")) {
                return (double) Long.parseLong(f.substring(8)) / n;
            }
        }
        throw new IllegalStateException("unexpected output of the C peer: " + out);
    }

    /** The table's name for a way in the "step from" column. */
    private static String shortName(String way) {
        if (way.equals(BINDING)) {
            return "binding (JNI)";
        }
        for (Variant v : Variant.values()) {
            if (way.equals(v.label)) {
                return v == Variant.DEFAULT ? "jvmm default" : v == Variant.NO_METRICS ? "jvmm, no-op metrics" : "jvmm, checks off";
            }
        }
        return way.startsWith("C: bare") ? "bare C" : way;
    }

    static Section run(Env env) throws Exception {
        Section s = new Section("exit", "Exit round trip");
        byte[] elf = Files.readAllBytes(env.exitElf());
        int n = env.count(300_000, 60_000);
        // Nine rounds: the host is shared, and a burst of noise can spoil a round or two of every way.
        int reps = env.count(9, 2);
        // Every way of running the loop, from the bare C loop to jvmm's full path, then the JNA
        // fallback; each with the way it is compared with in the table's step column.
        String cBare = "C: bare KVM_RUN loop (peer)";
        Map<String, ThrowingSupplier<Double>> ways = new LinkedHashMap<>();
        Map<String, String> stepFrom = new LinkedHashMap<>();
        ways.put(cBare, () -> cRun(env, n, false));
        ways.put(BINDING, () -> BindingLoop.run(elf, n, RunPath.JNI));
        stepFrom.put(BINDING, cBare);
        String prevWay = BINDING;
        for (Variant v : List.of(Variant.NO_METRICS, Variant.DEFAULT, Variant.CHECKS_OFF)) {
            ways.put(v.label, () -> jvmmRun(elf, n, v));
            stepFrom.put(v.label, prevWay);
            prevWay = v.label;
        }
        ways.put(MASK, () -> cRun(env, n, true));
        stepFrom.put(MASK, cBare);
        ways.put(BINDING_JNA, () -> BindingLoop.run(elf, n, RunPath.JNA));
        stepFrom.put(BINDING_JNA, BINDING);
        env.log("exit: warming up (each way once, %d exits)", n / 3);
        cRun(env, n / 3, false);
        cRun(env, n / 3, true);
        BindingLoop.run(elf, n / 3, RunPath.JNA);
        BindingLoop.run(elf, n / 3, RunPath.JNI);
        for (Variant v : Variant.values()) {
            jvmmRun(elf, n / 3, v);
        }
        Map<String, List<Double>> results = new LinkedHashMap<>();
        ways.keySet().forEach(k -> results.put(k, new ArrayList<>()));
        List<String> order = new ArrayList<>(ways.keySet());
        for (int r = 0; r < reps; r++) {
            // Rotate the order so no way always runs first after a pause.
            java.util.Collections.rotate(order, 1);
            for (String k : order) {
                results.get(k).add(ways.get(k).get());
            }
            env.log("exit: round %d/%d: C %.0f ns, jvmm %.0f ns per exit", r + 1, reps,
                    last(results.get(cBare)), last(results.get(Variant.DEFAULT.label)));
        }
        double peer = Stats.median(results.get(cBare));
        double def = Stats.median(results.get(Variant.DEFAULT.label));
        s.add("exit round trip, time per exit (jvmm full path vs C KVM_RUN loop)", def / 1000, peer / 1000, "us");
        s.add("exit round trip, time per exit, lock checks off (vs C)",
                Stats.median(results.get(Variant.CHECKS_OFF.label)) / 1000, peer / 1000, "us");
        s.add("exit round trip, time per exit, no-op meter registry (vs C)",
                Stats.median(results.get(Variant.NO_METRICS.label)) / 1000, peer / 1000, "us");
        s.add("exit round trip, time per exit, kvm-native binding loop without Machine (vs C)",
                Stats.median(results.get(BINDING)) / 1000, peer / 1000, "us");
        s.add("exit round trip, time per exit, kvm-native binding loop, JNA fallback (vs C)",
                Stats.median(results.get(BINDING_JNA)) / 1000, peer / 1000, "us");
        s.add("exit round trip, time per exit, C with the JNA fallback's KVM_SET_SIGNAL_MASK (vs C)",
                Stats.median(results.get(MASK)) / 1000, peer / 1000,
                "us");

        Table t = new Table("what runs the loop", "per exit (median)", "exits/s", "step", "step from",
                "ratio to C", "runs (us per exit)");
        for (String k : ways.keySet()) {
            double med = Stats.median(results.get(k));
            String from = stepFrom.get(k);
            t.row(k, F.f(med / 1000, 2) + " us", F.f(1e9 / med, 0),
                    from == null ? "" : String.format(java.util.Locale.ROOT, "%+.2f us",
                            (med - Stats.median(results.get(from))) / 1000),
                    from == null ? "" : shortName(from), F.ratio(med / peer), runs(results.get(k)));
        }
        boolean met = def / peer <= 1.03;
        double c = peer;
        double mask = Stats.median(results.get(MASK));
        double bind = Stats.median(results.get(BINDING));
        double bindJna = Stats.median(results.get(BINDING_JNA));
        double noMet = Stats.median(results.get(Variant.NO_METRICS.label));
        double off = Stats.median(results.get(Variant.CHECKS_OFF.label));
        String where = "Where the time goes. Almost all of an exit is the kernel's round trip, which C pays too: "
                + F.f(c / 1000, 2) + " us per exit on this PVM host, including the guest's 3 emulated instructions. "
                + "jvmm adds " + F.f((def - c) / 1000, 2) + " us, in steps the rows isolate: the kvm-native binding as "
                + "jvmm runs it (KVM_RUN through the JNI shim, errno handling, the `immediate_exit` write and fence, "
                + "and decoding `kvm_run` into an `IoOut` record with its data array; kicks are consumed by the "
                + "shim's no-op signal handler, so KVM_RUN runs with the thread's own signal mask) " + us(bind - c)
                + "; the `Machine` around it (the vCPU loop's request and policy checks, the RUNTIME writeback check, "
                + "Big Lock release and re-acquire at the `vcpu-exit` site with its holder bookkeeping and two clock "
                + "reads, bus lookup and the unclaimed-write counter) " + us(noMet - bind) + "; the metrics (two "
                + "fixed-bucket histogram records for the lock's wait and hold, and the `jvmm_vcpu_exits_total` "
                + "counter) " + us(def - noMet) + "; turning the lock checks off " + us(off - def)
                + (off >= def ? " (no saving: run-to-run noise; the JMH section shows the checks cost about nothing)" : "")
                + ". The binding's JNA fallback, used only when the shim cannot be loaded, costs " + us(bindJna - bind)
                + " per exit more than the shim in this run: the kernel's signal mask swap on every entry and exit that "
                + "its kick technique needs (KVM_SET_SIGNAL_MASK; the C loop with the same mask measures "
                + us(mask - c) + " over the bare one), and JNA's libffi marshalling and errno bookkeeping on every call. "
                + "The steps are differences of medians of noisy runs, so a step smaller than about 0.1 us is within "
                + "the noise. The JFR profile (section Profiles) samples the vCPU thread in native code "
                + "(`RunShim.ioctl`) almost all the time; the Java work per exit is small enough that the remaining "
                + "cost is as much the cache and TLB footprint the JVM-side code adds to every round trip as its "
                + "instructions.";
        s.md("Command: `bench/run` (section `exit`). " + reps + " rounds of " + n + " exits for each way of running "
                + "the loop, after one warm-up run of each; the order rotates every round. Times are between the "
                + "guest's two marker writes, so they exclude boot and teardown, and include the guest's own 3 "
                + "instructions per exit (`out`, `dec`, `jnz`) that every row pays alike. The jvmm rows run a "
                + "`Machine` in the benchmark's JVM (`-XX:+UseSerialGC`, as `./vmm` runs), warmed up.");
        s.md(t.markdown());
        s.md("Target: within 3% of C (at most 1.03 times its time per exit). Result: " + F.verdict(met) + " (jvmm "
                + F.pct(def / peer) + ", "
                + F.f((def - peer) / 1000, 2) + " us per exit more than C).");
        s.md(where);
        s.target("exit round trip, jvmm / C KVM_RUN loop <= 1.03", met, "jvmm " + F.f(def / 1000, 2) + " us vs C "
                + F.f(peer / 1000, 2) + " us per exit (" + F.pct(def / peer) + ")");
        return s;
    }

    private static String us(double nanos) {
        return String.format(java.util.Locale.ROOT, "%+.2f us", nanos / 1000);
    }

    private static double last(List<Double> l) {
        return l.get(l.size() - 1);
    }

    private static String runs(List<Double> values) {
        StringBuilder b = new StringBuilder();
        for (double v : values) {
            b.append(b.length() == 0 ? "" : " ").append(F.f(v / 1000, 2));
        }
        return b.toString();
    }

    interface ThrowingSupplier<T> {
        T get() throws Exception;
    }

    static <T> T unchecked(ThrowingSupplier<T> s) {
        try {
            return s.get();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
