package io.jvmm.core.testing;

import io.jvmm.core.machine.Machine;
import io.jvmm.core.machine.MachineConfig;
import java.util.function.Predicate;

/** A started machine whose serial output tests can wait on. */
public final class RunningGuest implements AutoCloseable {
    public final Machine machine;
    public final TestGuests.Console console;

    private RunningGuest(Machine machine, TestGuests.Console console) {
        this.machine = machine;
        this.console = console;
    }

    /** Creates and starts a machine for {@code config}, whose serial sink must be {@code console}. */
    public static RunningGuest start(MachineConfig config, TestGuests.Console console) throws Exception {
        Machine m = Machine.create(config);
        try {
            m.start();
        } catch (RuntimeException e) {
            m.destroy();
            throw e;
        }
        return new RunningGuest(m, console);
    }

    /** Waits until the output satisfies {@code p}; throws with the output on timeout. */
    public String awaitOutput(Predicate<String> p, long timeoutMs, String what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < deadline) {
            String text = console.text();
            if (p.test(text)) {
                return text;
            }
            if (machine.exitFuture().isDone() && !p.test(console.text())) {
                throw new AssertionError("the guest ended (" + machine.exitFuture().join() + ") before " + what
                        + ":\n" + console.text());
            }
            Thread.sleep(10);
        }
        throw new AssertionError("timed out after " + timeoutMs + " ms waiting for " + what + ":\n" + console.text());
    }

    /** How many times {@code needle} occurs in the output so far. */
    public int count(String needle) {
        String t = console.text();
        int n = 0;
        for (int i = t.indexOf(needle); i >= 0; i = t.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    /** KVM_SET_* calls across all vCPUs so far. */
    public long stateWrites() {
        return machine.vcpus().stream().mapToLong(v -> v.backend().stateWrites()).sum();
    }

    @Override
    public void close() {
        machine.destroy();
    }
}
