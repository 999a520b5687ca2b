package io.jvmm.bench;

import java.util.Map;

/**
 * Warm-up until the service's JIT is quiet: runs a load in windows until the service's JIT
 * compiler threads used less than {@link #QUIET_MS_PER_S} of CPU in one window (at most
 * {@link #MAX_WINDOWS} of them). A fixed number of warm-up calls leaves the compilers working into
 * the measured phases on some paths, and their CPU is then charged to the calls.
 */
final class JitWarmup {
    /** The JIT compilers' CPU, in ms per s, below which the service counts as warm. */
    static final double QUIET_MS_PER_S = 10;
    static final long WINDOW_MS = 3000;
    static final int MAX_WINDOWS = 20;

    /** One window of load: runs for about {@code ms} milliseconds; {@code w} counts the windows from 0. */
    interface Window {
        void run(int w, long ms) throws Exception;
    }

    private JitWarmup() {
    }

    /**
     * Runs {@code window}s on service {@code pid} until its JIT is quiet; says how long it took, or
     * that the JIT was still compiling after the last window.
     */
    static String untilQuiet(Env env, long pid, String what, Window window) throws Exception {
        for (int w = 0; w < MAX_WINDOWS; w++) {
            ThreadCpu before = ThreadCpu.of(pid, ThreadCpu.JVMM_VCPU);
            long t0 = System.nanoTime();
            window.run(w, WINDOW_MS);
            double seconds = (System.nanoTime() - t0) / 1e9;
            long jitNs = ThreadCpu.of(pid, ThreadCpu.JVMM_VCPU).minus(before).otherByGroup().entrySet().stream()
                    .filter(e -> e.getKey().contains("CompilerThre")).mapToLong(Map.Entry::getValue).sum();
            double msPerS = jitNs / 1e6 / seconds;
            env.log("%s: warm-up window %d: JIT compilers %.1f ms/s", what, w + 1, msPerS);
            if (msPerS < QUIET_MS_PER_S) {
                return (w + 1) * WINDOW_MS / 1000 + " s more";
            }
        }
        return MAX_WINDOWS * WINDOW_MS / 1000 + " s more, the JIT still compiling at the end";
    }

    /** How a section says it warmed up this way. */
    static String said() {
        return "in windows of " + WINDOW_MS / 1000 + " s until the service's JIT compiler threads use "
                + "less than " + F.f(QUIET_MS_PER_S, 0) + " ms of CPU a second";
    }
}
