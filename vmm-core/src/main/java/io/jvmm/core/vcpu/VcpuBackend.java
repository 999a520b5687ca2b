package io.jvmm.core.vcpu;

import io.jvmm.kvm.DebugRegs;
import io.jvmm.kvm.Fpu;
import io.jvmm.kvm.LapicState;
import io.jvmm.kvm.MpState;
import io.jvmm.kvm.MsrEntry;
import io.jvmm.kvm.Regs;
import io.jvmm.kvm.Sregs;
import io.jvmm.kvm.VcpuEvents;
import io.jvmm.kvm.VcpuExit;
import io.jvmm.kvm.Xcr;
import java.util.List;

/**
 * The hypervisor seam for one vCPU: what the vCPU loop and {@link VcpuState} need, and nothing
 * else. {@link KvmVcpuBackend} implements it on a real KVM vCPU; unit tests implement it with
 * fakes to drive the loop's state machine deterministically.
 *
 * <p>Threads: {@link #kick()} may be called from any thread; everything else only from the
 * vCPU's own thread, which first calls {@link #bindToCurrentThread()}.
 */
public interface VcpuBackend extends AutoCloseable {
    /** The vCPU id given to the hypervisor, which is the CPU's APIC ID. */
    int apicId();

    /**
     * Makes the calling thread the vCPU thread: the one {@link #run()} runs on and {@link #kick()}
     * interrupts (a real backend also puts it in the SCHED_BATCH class, so a guest spinning in it
     * does not delay the monitor's threads on a busy host).
     */
    void bindToCurrentThread();

    /** The host thread id of the bound thread, or 0 (also for backends without host threads). */
    long hostThreadId();

    /** Undoes {@link #bindToCurrentThread()}; after it, kicks do nothing. */
    void unbindFromCurrentThread();

    /** Enters the guest until the next exit (KVM_RUN). */
    VcpuExit run();

    /**
     * Enters KVM_RUN with {@code immediate_exit} set: KVM completes the instruction of the last
     * port or MMIO read exit (writing the answer into the guest's registers) and returns at once,
     * normally with {@link VcpuExit#INTERRUPTED}. Used before a vCPU parks with such an answer
     * pending, so that nothing reads it half done.
     */
    VcpuExit completeExit();

    /** Gets the vCPU thread out of {@link #run()} soon, even if it sleeps in the kernel. Any thread. */
    boolean kick();

    /** Answers the current I/O read exit. */
    void completeIoIn(byte[] data);

    /** Answers the current MMIO read exit. */
    void completeMmioRead(long value);

    Regs getRegs();

    void setRegs(Regs regs);

    Sregs getSregs();

    void setSregs(Sregs sregs);

    Fpu getFpu();

    void setFpu(Fpu fpu);

    List<Xcr> getXcrs();

    void setXcrs(List<Xcr> xcrs);

    DebugRegs getDebugRegs();

    void setDebugRegs(DebugRegs regs);

    List<MsrEntry> getMsrs(int[] indices);

    void setMsrs(List<MsrEntry> msrs);

    VcpuEvents getEvents();

    void setEvents(VcpuEvents events);

    /** KVM_GET_MP_STATE; note that it accepts pending INIT/SIPI first. */
    MpState getMpState();

    void setMpState(MpState state);

    LapicState getLapic();

    void setLapic(LapicState lapic);

    /** Queues an NMI (KVM_NMI). */
    void nmi();

    /** How many state writes have reached the hypervisor for this vCPU. */
    long stateWrites();

    @Override
    void close();
}
