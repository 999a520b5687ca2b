package io.jvmm.core.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.core.testing.TestGuests;
import io.jvmm.kvm.testing.RequiresKvm;
import org.junit.jupiter.api.Test;

/** The first guest end to end on real KVM: Multiboot load, protected-mode entry, COM1, debug-exit. */
@RequiresKvm
class HelloGuestTest {
    @Test
    void helloPrintsItsLineAndExitsWithZero() throws Exception {
        TestGuests.Console console = new TestGuests.Console();
        TestGuests.Result r = TestGuests.run(TestGuests.config("hello", "1", "", console).build(), console, 30_000);
        assertNotNull(r.exit(), "hello did not finish; output so far:\n" + r.output());
        assertEquals(MachineExit.Kind.GUEST_EXIT, r.exit().kind(), r.exit().reason());
        assertEquals(0, r.exit().code());
        assertEquals("hello: Hello from a jvmm guest\n", r.output());
    }

    @Test
    void helloExitsWithTheValueFromItsCommandLine() throws Exception {
        TestGuests.Console console = new TestGuests.Console();
        TestGuests.Result r = TestGuests.run(TestGuests.config("hello", "1", "exit=42", console).build(), console,
                30_000);
        assertNotNull(r.exit());
        assertEquals(42, r.exit().code(), r.exit().reason() + "\n" + r.output());
        assertTrue(r.machine().bootNanos() > 0, "the POST port should have seen the guest's entry");
    }
}
