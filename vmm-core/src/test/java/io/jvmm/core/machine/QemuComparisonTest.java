package io.jvmm.core.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.jvmm.core.testing.Qemu;
import io.jvmm.core.testing.RequiresQemu;
import io.jvmm.core.testing.TestGuests;
import io.jvmm.kvm.testing.RequiresKvm;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The same image under jvmm and under QEMU gives the same serial output and the same result. */
@RequiresKvm
@RequiresQemu
class QemuComparisonTest {
    @ParameterizedTest(name = "hello {0}")
    @ValueSource(strings = {"", "exit=3"})
    void helloMatchesQemu(String append) throws Exception {
        TestGuests.Console console = new TestGuests.Console();
        TestGuests.Result ours = TestGuests.run(TestGuests.config("hello", "1", append, console).build(), console,
                30_000);
        Qemu.Result qemu = Qemu.run("hello", "1", "64M", append, 120);
        assertFalse(qemu.timedOut(), "QEMU did not finish: " + qemu.output());
        assertNotNull(ours.exit());
        assertEquals(qemu.output(), ours.output(), "serial output differs from QEMU's");
        assertEquals(qemu.guestValue(), ours.exit().code(), "QEMU status " + qemu.status());
    }
}
