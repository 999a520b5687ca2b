package io.jvmm.bench;

import io.jvmm.core.boot.MultibootImage;
import io.jvmm.core.devices.BusDevice;
import io.jvmm.core.machine.Machine;
import io.jvmm.core.machine.MachineConfig;
import io.jvmm.core.machine.MachineExit;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
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
    static double cRun(Env env, int n) throws Exception {
        String out = Env.capture(List.of(env.exitC().toString(), env.exitElf().toString(), Integer.toString(n)),
                Duration.ofMinutes(5));
        for (String f : out.trim().split("\\s+")) {
            if (f.startsWith("loop_ns=")) {
                return (double) Long.parseLong(f.substring(8)) / n;
            }
        }
        throw new IllegalStateException("unexpected output of the C peer: " + out);
    }

    static Section run(Env env) throws Exception {
        Section s = new Section("exit", "Exit round trip");
        byte[] elf = Files.readAllBytes(env.exitElf());
        int n = env.count(300_000, 60_000);
        int reps = env.count(5, 2);
        env.log("exit: warming up (one C run, one run of each jvmm variant, %d exits each)", n / 3);
        cRun(env, n / 3);
        for (Variant v : Variant.values()) {
            jvmmRun(elf, n / 3, v);
        }
        List<Double> c = new ArrayList<>();
        Map<Variant, List<Double>> ours = new LinkedHashMap<>();
        for (Variant v : Variant.values()) {
            ours.put(v, new ArrayList<>());
        }
        for (int r = 0; r < reps; r++) {
            // Rotate the order so neither side always runs first after a pause.
            List<Runnable> order = new ArrayList<>();
            order.add(() -> c.add(unchecked(() -> cRun(env, n))));
            for (Variant v : Variant.values()) {
                order.add(() -> ours.get(v).add(unchecked(() -> jvmmRun(elf, n, v))));
            }
            java.util.Collections.rotate(order, r);
            for (Runnable step : order) {
                step.run();
            }
            env.log("exit: round %d/%d: C %.0f ns, jvmm %.0f ns per exit", r + 1, reps, c.get(c.size() - 1),
                    ours.get(Variant.DEFAULT).get(ours.get(Variant.DEFAULT).size() - 1));
        }
        double peer = Stats.median(c);
        double def = Stats.median(ours.get(Variant.DEFAULT));
        double off = Stats.median(ours.get(Variant.CHECKS_OFF));
        double noMetrics = Stats.median(ours.get(Variant.NO_METRICS));
        s.add("exit round trip, time per exit (jvmm full path vs C KVM_RUN loop)", def / 1000, peer / 1000, "us");
        s.add("exit round trip, time per exit, lock checks off (vs C)", off / 1000, peer / 1000, "us");
        s.add("exit round trip, time per exit, no-op meter registry (vs C)", noMetrics / 1000, peer / 1000, "us");

        Table t = new Table("what runs the loop", "per exit (median)", "exits/s", "runs (us per exit)", "ratio to C");
        t.row("C: bare KVM_RUN loop (peer)", F.f(peer / 1000, 2) + " us", F.f(1e9 / peer, 0), runs(c), "1.00");
        for (Variant v : Variant.values()) {
            double med = Stats.median(ours.get(v));
            t.row(v.label, F.f(med / 1000, 2) + " us", F.f(1e9 / med, 0), runs(ours.get(v)), F.ratio(med / peer));
        }
        boolean met = def / peer <= 1.10;
        s.md("Command: `bench/run` (section `exit`). " + reps + " rounds of " + n + " exits per variant, after one "
                + "warm-up run of each; the order of the four runs rotates every round. Times are between the guest's "
                + "two marker writes, so they exclude boot and teardown, and include the guest's own 3 instructions "
                + "per exit (`out`, `dec`, `jnz`), which both sides pay alike.");
        s.md(t.markdown());
        s.md("Target: within 10% of C. Result: " + F.verdict(met) + " (jvmm " + F.pct(def / peer) + ").");
        s.target("exit round trip within 10% of C", met, "jvmm " + F.f(def / 1000, 2) + " us vs C "
                + F.f(peer / 1000, 2) + " us per exit (" + F.pct(def / peer) + ")");
        return s;
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
