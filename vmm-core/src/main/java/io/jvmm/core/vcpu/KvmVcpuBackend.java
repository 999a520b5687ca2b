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
import io.jvmm.kvm.VcpuFd;
import io.jvmm.kvm.Xcr;
import java.util.List;

/** {@link VcpuBackend} on a real KVM vCPU. */
public final class KvmVcpuBackend implements VcpuBackend {
    private final VcpuFd fd;
    private final boolean xsave;
    private volatile long hostTid;

    /**
     * Takes ownership of {@code fd}. With {@code xsave} (KVM_CAP_XSAVE), x87/SSE state goes
     * through KVM_GET/SET_XSAVE, which carries MXCSR on every kernel; KVM_GET_FPU on some does not.
     */
    public KvmVcpuBackend(VcpuFd fd, boolean xsave) {
        this.fd = fd;
        this.xsave = xsave;
    }

    /** The underlying descriptor (for write accounting in tests and metrics). */
    public VcpuFd fd() {
        return fd;
    }

    @Override
    public int apicId() {
        return fd.id();
    }

    @Override
    public void bindToCurrentThread() {
        fd.bindKickToCurrentThread();
        hostTid = io.jvmm.kvm.Threads.currentTid();
        io.jvmm.kvm.Threads.tryBatchScheduling();
    }

    @Override
    public long hostThreadId() {
        return hostTid;
    }

    @Override
    public void unbindFromCurrentThread() {
        fd.unbindKick();
    }

    @Override
    public VcpuExit run() {
        return fd.run();
    }

    @Override
    public VcpuExit completeExit() {
        return fd.runImmediateExit();
    }

    @Override
    public boolean kick() {
        return fd.kick();
    }

    @Override
    public void completeIoIn(byte[] data) {
        fd.completeIoIn(data);
    }

    @Override
    public void completeMmioRead(long value) {
        fd.completeMmioRead(value);
    }

    @Override
    public Regs getRegs() {
        return fd.getRegs();
    }

    @Override
    public void setRegs(Regs regs) {
        fd.setRegs(regs);
    }

    @Override
    public Sregs getSregs() {
        return fd.getSregs();
    }

    @Override
    public void setSregs(Sregs sregs) {
        fd.setSregs(sregs);
    }

    @Override
    public Fpu getFpu() {
        return xsave ? Fpu.fromXsave(fd.getXsave()) : fd.getFpu();
    }

    @Override
    public void setFpu(Fpu fpu) {
        if (xsave) {
            fd.setXsave(fpu.intoXsave(fd.getXsave()));
        } else {
            fd.setFpu(fpu);
        }
    }

    @Override
    public List<Xcr> getXcrs() {
        return fd.getXcrs();
    }

    @Override
    public void setXcrs(List<Xcr> xcrs) {
        fd.setXcrs(xcrs);
    }

    @Override
    public DebugRegs getDebugRegs() {
        return fd.getDebugRegs();
    }

    @Override
    public void setDebugRegs(DebugRegs regs) {
        fd.setDebugRegs(regs);
    }

    @Override
    public List<MsrEntry> getMsrs(int[] indices) {
        return fd.getMsrs(indices);
    }

    @Override
    public void setMsrs(List<MsrEntry> msrs) {
        fd.setMsrs(msrs);
    }

    @Override
    public VcpuEvents getEvents() {
        return fd.getVcpuEvents();
    }

    @Override
    public void setEvents(VcpuEvents events) {
        fd.setVcpuEvents(events);
    }

    @Override
    public MpState getMpState() {
        return fd.getMpState();
    }

    @Override
    public void setMpState(MpState state) {
        fd.setMpState(state);
    }

    @Override
    public LapicState getLapic() {
        return fd.getLapic();
    }

    @Override
    public void setLapic(LapicState lapic) {
        fd.setLapic(lapic);
    }

    @Override
    public void nmi() {
        fd.nmi();
    }

    @Override
    public long stateWrites() {
        return fd.stateWrites();
    }

    @Override
    public void close() {
        fd.close();
    }
}
