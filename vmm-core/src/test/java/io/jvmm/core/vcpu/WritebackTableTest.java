package io.jvmm.core.vcpu;

import static io.jvmm.core.vcpu.StateField.DEBUGREGS;
import static io.jvmm.core.vcpu.StateField.EVENTS;
import static io.jvmm.core.vcpu.StateField.FPU;
import static io.jvmm.core.vcpu.StateField.LAPIC;
import static io.jvmm.core.vcpu.StateField.MP_STATE;
import static io.jvmm.core.vcpu.StateField.MSRS;
import static io.jvmm.core.vcpu.StateField.NMI_PENDING;
import static io.jvmm.core.vcpu.StateField.REGS;
import static io.jvmm.core.vcpu.StateField.SIPI_VECTOR;
import static io.jvmm.core.vcpu.StateField.SMM;
import static io.jvmm.core.vcpu.StateField.SREGS;
import static io.jvmm.core.vcpu.StateField.TSC;
import static io.jvmm.core.vcpu.StateField.XCRS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.core.testing.FakeVcpuBackend;
import io.jvmm.kvm.KvmAbi.KvmVcpuEvents;
import io.jvmm.kvm.MpState;
import io.jvmm.kvm.Regs;
import io.jvmm.kvm.VcpuEvents;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The writeback table (which fields each level writes) and {@link VcpuState}'s read/write discipline. */
class WritebackTableTest {
    @Test
    void runtimeWritesRegistersAndInjectionStateButNoEventAnotherCpuCanSend() {
        assertEquals(EnumSet.of(REGS, SREGS, FPU, XCRS, DEBUGREGS, MSRS, EVENTS),
                StateField.writtenAtLevel(WritebackLevel.RUNTIME));
    }

    @Test
    void resetAddsNmiPendingSipiVectorSmmMpStateAndTheLapic() {
        assertEquals(EnumSet.of(REGS, SREGS, FPU, XCRS, DEBUGREGS, MSRS, EVENTS, NMI_PENDING, SIPI_VECTOR, SMM,
                MP_STATE, LAPIC), StateField.writtenAtLevel(WritebackLevel.RESET));
    }

    @Test
    void fullAddsTheTsc() {
        assertEquals(EnumSet.allOf(StateField.class), StateField.writtenAtLevel(WritebackLevel.FULL));
        assertFalse(TSC.writtenAt(WritebackLevel.RESET));
    }

    /** A grant at {@code level} that holds. */
    private static WriteGrant held(WritebackLevel level) {
        return WriteGrant.whileTrue(level, "the test says so", () -> true);
    }

    private static VcpuState state(FakeVcpuBackend b, WritebackPolicy p) {
        return new VcpuState("vcpu-2", 2, b, p, null, false);
    }

    @Test
    void readingNeverWrites() {
        FakeVcpuBackend b = new FakeVcpuBackend(2);
        VcpuState s = state(b, WritebackPolicy.GATED_BY_LEVEL);
        for (int i = 0; i < 100; i++) {
            s.read();
            s.flush(WriteGrant.RUNTIME);
            s.invalidate();
        }
        assertEquals(Map.of(), b.writes());
        assertTrue(s.modifiedFields().isEmpty());
    }

    @Test
    void readsHappenInTheSafeOrderEventsThenMpStateThenRegisters() {
        FakeVcpuBackend b = new FakeVcpuBackend(2);
        state(b, WritebackPolicy.GATED_BY_LEVEL).read();
        List<String> r = b.reads();
        assertEquals("KVM_GET_VCPU_EVENTS", r.get(0));
        assertEquals("KVM_GET_MP_STATE", r.get(1));
        assertTrue(r.indexOf("KVM_GET_REGS") > 1 && r.indexOf("KVM_GET_SREGS") > 1, r.toString());
    }

    @Test
    void aCachedReadIsServedWithoutTouchingKvmUntilTheGuestRuns() {
        FakeVcpuBackend b = new FakeVcpuBackend(2);
        VcpuState s = state(b, WritebackPolicy.GATED_BY_LEVEL);
        s.read();
        int reads = b.reads().size();
        s.read();
        assertEquals(reads, b.reads().size());
        s.invalidate();
        s.read();
        assertEquals(2 * reads, b.reads().size());
    }

    @Test
    void aRuntimeWriteOfAResetOnlyFieldIsRefusedBeforeAnythingIsWritten() {
        FakeVcpuBackend b = new FakeVcpuBackend(2);
        VcpuState s = state(b, WritebackPolicy.GATED_BY_LEVEL);
        s.setRegs(Regs.reset().withRip(0x1000));
        s.setMpState(MpState.RUNNABLE);
        WritebackException e = assertThrows(WritebackException.class, () -> s.flush(WriteGrant.RUNTIME));
        assertEquals(MP_STATE, e.field());
        assertTrue(e.getMessage().startsWith("vcpu-2: MP_STATE (KVM_SET_MP_STATE) needs a RESET-level write"),
                e.getMessage());
        assertEquals(Map.of(), b.writes(), "nothing may reach KVM when the flush is refused");
        s.flush(held(WritebackLevel.RESET));
        assertEquals(Map.of("KVM_SET_MP_STATE", 1, "KVM_SET_REGS", 1), b.writes());
        assertEquals(0x1000, b.regs.rip());
    }

    @Test
    void theEventsFlagsFollowTheFieldsThatWereModified() {
        FakeVcpuBackend b = new FakeVcpuBackend(2);
        VcpuState s = state(b, WritebackPolicy.GATED_BY_LEVEL);
        VcpuEvents e = VcpuEvents.empty();
        s.setEvents(e, EnumSet.of(EVENTS));
        s.flush(WriteGrant.RUNTIME);
        assertEquals(KvmVcpuEvents.VALID_SHADOW, b.lastEventFlags);
        s.setEvents(e, EnumSet.of(EVENTS, NMI_PENDING, SIPI_VECTOR, SMM));
        assertThrows(WritebackException.class, () -> s.flush(WriteGrant.RUNTIME));
        s.flush(held(WritebackLevel.RESET));
        // SMM is left out: this KVM has no SMM, so the flag is never sent
        assertEquals(KvmVcpuEvents.VALID_SHADOW | KvmVcpuEvents.VALID_NMI_PENDING | KvmVcpuEvents.VALID_SIPI_VECTOR,
                b.lastEventFlags);
    }

    @Test
    void aPendingNmiSurvivesARuntimeWriteOfStaleEvents() {
        FakeVcpuBackend b = new FakeVcpuBackend(2);
        VcpuState s = state(b, WritebackPolicy.GATED_BY_LEVEL);
        VcpuEvents stale = s.read().events();
        // another CPU sends an NMI after the read
        b.events = b.events.withNmi(new VcpuEvents.Nmi(false, true, false));
        s.setEvents(stale, EnumSet.of(EVENTS));
        s.flush(WriteGrant.RUNTIME);
        assertTrue(b.events.nmi().pending(), "the runtime write must not clear the NMI sent after the read");
    }

    @Test
    void theTscIsWrittenOnlyAtFullLevel() {
        FakeVcpuBackend b = new FakeVcpuBackend(2);
        VcpuState s = state(b, WritebackPolicy.GATED_BY_LEVEL);
        s.setTsc(0);
        assertThrows(WritebackException.class, () -> s.flush(held(WritebackLevel.RESET)));
        s.flush(held(WritebackLevel.FULL));
        assertEquals(Map.of("KVM_SET_MSRS", 1), b.writes());
    }

    @Test
    void aWriteWhoseGrantHasLapsedWritesNothingAndIsForgotten() {
        FakeVcpuBackend b = new FakeVcpuBackend(2);
        VcpuState s = state(b, WritebackPolicy.GATED_BY_LEVEL);
        boolean[] paused = {true};
        WriteGrant reset = WriteGrant.whileTrue(WritebackLevel.RESET, "the vCPUs are paused", () -> paused[0]);
        s.setMpState(MpState.UNINITIALIZED);
        s.setEvents(VcpuEvents.empty(), EnumSet.of(EVENTS, NMI_PENDING));
        paused[0] = false; // the sender gave up and let the vCPUs run before this vCPU got to the write
        WritebackException e = assertThrows(WritebackException.class, () -> s.flush(reset));
        assertTrue(e.getMessage().startsWith("vcpu-2: the grant for this RESET-level write (RESET while the vCPUs"
                + " are paused) no longer holds; nothing was written"), e.getMessage());
        assertEquals(Map.of(), b.writes());
        assertTrue(s.modifiedFields().isEmpty(), "an abandoned write must not linger for the next flush");
        s.flush(WriteGrant.RUNTIME);
        assertEquals(Map.of(), b.writes());
    }

    @Test
    void aPolicyThatTrustsTheCallersLevelWritesUnderALapsedGrant() {
        // What the late-work control (test code) puts back: the level taken on the caller's word.
        WritebackPolicy trusting = new WritebackPolicy() {
            @Override
            public boolean writes(StateField field, WritebackLevel level) {
                return field.writtenAt(level);
            }

            @Override
            public boolean honoursGrants() {
                return false;
            }
        };
        FakeVcpuBackend b = new FakeVcpuBackend(2);
        VcpuState s = state(b, trusting);
        s.setMpState(MpState.UNINITIALIZED);
        s.flush(WriteGrant.whileTrue(WritebackLevel.RESET, "never", () -> false));
        assertEquals(Map.of("KVM_SET_MP_STATE", 1), b.writes());
    }

    @Test
    void theOneEntryLateControlWritesTheOldestCopyAtTheSecondEntry() {
        // Test code, shown here so the race suite's control does what its name says.
        FakeVcpuBackend b = new FakeVcpuBackend(2);
        b.mpState = MpState.INIT_RECEIVED;
        VcpuState s = state(b, io.jvmm.core.testing.StaleWritebackControl.mpStateHeldOverAnEntry());
        s.read();
        s.flush(WriteGrant.RUNTIME); // the entry right after the read: nothing written yet
        assertEquals(Map.of(), b.writes());
        assertTrue(s.hasModifications(), "the held copy must keep the vCPU off the shortcut back into the guest");
        s.invalidate();
        b.mpState = MpState.RUNNABLE; // the kernel took the SIPI during that KVM_RUN
        s.read(); // a later read does not freshen the held copy
        s.flush(WriteGrant.RUNTIME);
        assertEquals(Map.of("KVM_SET_MP_STATE", 1), b.writes());
        assertEquals(MpState.INIT_RECEIVED, b.mpState);
        assertFalse(s.hasModifications());
    }
}
