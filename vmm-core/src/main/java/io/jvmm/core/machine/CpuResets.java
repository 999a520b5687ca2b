package io.jvmm.core.machine;

import io.jvmm.core.boot.KernelImages;
import io.jvmm.core.firmware.BootFirmware;
import io.jvmm.core.vcpu.CpuImage;
import io.jvmm.core.vcpu.Vcpu;
import io.jvmm.core.vcpu.VcpuRunState;
import io.jvmm.core.vcpu.VcpuTimeoutException;
import io.jvmm.core.vcpu.WriteGrant;
import io.jvmm.core.vcpu.WritebackLevel;
import io.jvmm.kvm.DebugRegs;
import io.jvmm.kvm.Fpu;
import io.jvmm.kvm.LapicState;
import io.jvmm.kvm.MpState;
import io.jvmm.kvm.MsrEntry;
import io.jvmm.kvm.Regs;
import io.jvmm.kvm.Sregs;
import io.jvmm.kvm.VcpuEvents;
import io.jvmm.kvm.Xcr;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The states a machine puts its CPUs in, as {@link CpuImage}s: the power-on state each vCPU
 * thread writes before it first runs (FULL level), the state {@code system_reset} writes (RESET
 * level, every vCPU parked), and the state a powered-off CPU starts in (RESET level, that CPU
 * only). Built from each CPU's template, captured from KVM right after the vCPU was created;
 * x87/SSE and XCR0 take their architectural reset values instead (KVM leaves MXCSR zero), and the
 * MTRRs are enabled write-back, as firmware leaves them.
 * Writing the images is the vCPU threads' job; this class only says what they are.
 */
final class CpuResets {
    /** One CPU's state as KVM created it. */
    record Template(Regs regs, Sregs sregs, DebugRegs debugRegs, List<MsrEntry> msrs, LapicState lapic,
                    VcpuEvents events) {
    }

    /**
     * IA32_MTRR_DEF_TYPE as firmware leaves it: MTRRs enabled, every address write-back, no ranges
     * (as Firecracker sets it). With the reset value (MTRRs off) Linux leaves PAT uninitialised.
     */
    static final MsrEntry MTRRS_WRITE_BACK = new MsrEntry(MsrEntry.IA32_MTRR_DEF_TYPE, (1 << 11) | 6);

    private final List<Template> templates = new ArrayList<>();
    private final boolean secondariesPoweredOff;
    private final CountDownLatch secondariesInitialised;
    private volatile KernelImages.Booted loaded;

    CpuResets(int cpus, boolean secondariesPoweredOff) {
        this.secondariesPoweredOff = secondariesPoweredOff;
        this.secondariesInitialised = new CountDownLatch(cpus - 1);
    }

    /** Adds the template of the next CPU (CPUs are added in index order). */
    void add(Template t) {
        templates.add(t);
    }

    /** The boot image now in RAM, whose entry the boot CPU starts at (set at creation and at every reset). */
    void loaded(KernelImages.Booted l) {
        this.loaded = l;
    }

    /** The power-on state of CPU {@code cpu}: LAPIC wiring, TSC 0, x87/SSE reset; the boot CPU at the kernel's entry. */
    private CpuImage initial(int cpu) {
        Template t = templates.get(cpu);
        CpuImage image = CpuImage.empty().withLapic(t.lapic()).withTsc(0).withFpu(Fpu.reset(), List.of(Xcr.xcr0Reset()))
                .withMsrs(List.of(MTRRS_WRITE_BACK));
        if (cpu == 0) {
            CpuImage entry = loaded.bootCpu(t.sregs());
            image = image.withSregs(entry.sregs()).withRegs(entry.regs());
        }
        return image;
    }

    /**
     * Writes CPU {@code v}'s power-on state, at FULL level, on its own thread before it first runs
     * (its grant holds only while it has never run). The boot CPU writes its own only once every
     * secondary has written (or failed to write) its own, so that no INIT, SIPI, NMI or start
     * request it sends can reach a vCPU whose initial write is still to come and would erase it.
     *
     * @throws VcpuTimeoutException (boot CPU) if a secondary did not write within {@code timeoutMs}
     */
    void writeInitial(Vcpu v, List<Vcpu> all, long timeoutMs) {
        if (v.index() == 0) {
            awaitSecondaries(all, timeoutMs);
        }
        try {
            v.state().write(initial(v.index()), WriteGrant.whileTrue(WritebackLevel.FULL, v.name() + " has never run",
                    () -> v.runState() == VcpuRunState.CREATED));
        } finally {
            if (v.index() != 0) {
                secondariesInitialised.countDown();
            }
        }
    }

    private void awaitSecondaries(List<Vcpu> all, long timeoutMs) {
        try {
            if (secondariesInitialised.await(timeoutMs, TimeUnit.MILLISECONDS)) {
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new VcpuTimeoutException("secondary vCPUs did not write their initial state within " + timeoutMs
                + " ms: " + String.join(", ", all.subList(1, all.size()).stream()
                .filter(c -> c.runState() == VcpuRunState.CREATED).map(Vcpu::describe).toList()));
    }

    /**
     * The state {@code system_reset} gives CPU {@code cpu}: its template, with the boot CPU at the
     * image's entry and runnable, the others waiting for INIT.
     */
    CpuImage reset(int cpu) {
        Template t = templates.get(cpu);
        boolean boot = cpu == 0;
        CpuImage entry = boot ? loaded.bootCpu(t.sregs()) : CpuImage.empty().withSregs(t.sregs()).withRegs(t.regs());
        return CpuImage.empty()
                .withSregs(entry.sregs())
                .withRegs(entry.regs())
                .withFpu(Fpu.reset(), List.of(Xcr.xcr0Reset()))
                .withDebugRegs(t.debugRegs())
                .withMsrs(withMtrrs(t.msrs()))
                .withLapic(t.lapic())
                .withMpState(boot ? MpState.RUNNABLE : MpState.UNINITIALIZED)
                .withResetEvents(t.events());
    }

    private static List<MsrEntry> withMtrrs(List<MsrEntry> msrs) {
        List<MsrEntry> out = new ArrayList<>(msrs);
        out.add(MTRRS_WRITE_BACK);
        return out;
    }

    /** The run state CPU {@code cpu} takes after a reset: secondaries of a powered-off machine are off again. */
    VcpuRunState afterReset(int cpu) {
        return secondariesPoweredOff && cpu != 0 ? VcpuRunState.POWERED_OFF : VcpuRunState.RUNNING;
    }

    /** The state a powered-off CPU starts in: 32-bit flat protected mode at {@code entry}, EAX its index, EBX {@code arg}. */
    CpuImage powerOn(int cpu, long entry, long arg) {
        Template t = templates.get(cpu);
        return CpuImage.empty()
                .withSregs(BootFirmware.protectedModeEntry(t.sregs()))
                .withRegs(BootFirmware.cpuStart(entry, cpu, arg))
                .withLapic(t.lapic())
                .withMpState(MpState.RUNNABLE)
                .withResetEvents(t.events());
    }
}
