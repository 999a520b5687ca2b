package io.jvmm.kvm;

/** A test VM with 64 KiB of RAM at 0 holding {@code code} at {@link #CODE}, and one real-mode vCPU about to run it. */
final class TinyVm implements AutoCloseable {
    static final long CODE = 0x1000;

    final Kvm kvm = Kvm.open();
    final VmFd vm;
    final HostMemory ram = HostMemory.allocate(0x10000);
    final VcpuFd vcpu;

    TinyVm(boolean irqchip, int... code) {
        vm = kvm.createVm();
        vm.setTssAddr(0xfffbd000L);
        if (irqchip) {
            vm.createIrqchip();
        }
        vm.setUserMemoryRegion(0, 0, 0, ram.size(), ram.address());
        for (int i = 0; i < code.length; i++) {
            ram.pointer().setByte(CODE + i, (byte) code[i]);
        }
        vcpu = vm.createVcpu(0);
        Sregs s = vcpu.getSregs();
        Segment cs = new Segment(0, 0xffff, 0, 0xb, true, 0, false, true, false, false, false, false);
        vcpu.setSregs(s.withSegments(cs, new Segment(0, 0xffff, 0, 0x3, true, 0, false, true, false, false,
                false, false)));
        vcpu.setRegs(Regs.reset().withRip(CODE));
    }

    @Override
    public void close() {
        vcpu.close();
        vm.close();
        ram.close();
        kvm.close();
    }
}
