package io.jvmm.bench;

import io.jvmm.core.boot.MultibootImage;
import io.jvmm.core.firmware.BootFirmware;
import io.jvmm.core.firmware.CpuidTable;
import io.jvmm.core.machine.SmpTopology;
import io.jvmm.core.memory.GuestMemory;
import io.jvmm.core.memory.MemoryLayout;
import io.jvmm.kvm.Kvm;
import io.jvmm.kvm.RunPath;
import io.jvmm.kvm.VcpuExit;
import io.jvmm.kvm.VcpuFd;
import io.jvmm.kvm.VmFd;
import java.util.List;

/**
 * The exitloop guest on jvmm's KVM binding alone (kvm-native: the KVM_RUN call through the
 * chosen {@link RunPath}, the kvm_run decode into a {@link VcpuExit}), with no Machine, vCPU loop, Big Lock, bus or metrics:
 * the same VM set-up as a Machine (loader, firmware tables, entry state) and the kick signal
 * mask jvmm's vCPU threads use, then the smallest loop the binding allows. It isolates what the
 * binding costs per exit, between the C loop and the full path.
 */
final class BindingLoop {
    private BindingLoop() {
    }

    /** One run with KVM_RUN called through {@code path}; returns the loop's nanoseconds per exit. */
    static double run(byte[] elf, int n, RunPath path) throws Exception {
        MultibootImage image = MultibootImage.parse("exitloop.elf", elf);
        try (Kvm kvm = Kvm.open(); VmFd vm = kvm.createVm(); GuestMemory mem = GuestMemory.allocate(64L << 20)) {
            vm.setTssAddr(MemoryLayout.TSS_ADDR);
            vm.setIdentityMapAddr(MemoryLayout.IDENTITY_MAP_ADDR);
            vm.createIrqchip();
            vm.createPit2(true);
            vm.setUserMemoryRegion(0, 0, 0, mem.size(), mem.hostAddress());
            CpuidTable cpuid = new CpuidTable(kvm.supportedCpuid(), SmpTopology.SINGLE);
            new BootFirmware(SmpTopology.SINGLE, cpuid).write(mem);
            MultibootImage.Loaded loaded = image.load(mem, "exitloop.elf n=" + n, List.of());
            try (VcpuFd fd = vm.createVcpu(0)) {
                fd.useRunPath(path);
                fd.setCpuid(cpuid.forCpu(0));
                fd.setSregs(BootFirmware.protectedModeEntry(fd.getSregs()));
                fd.setRegs(BootFirmware.multibootEntry(loaded.entry(), loaded.infoAddress()));
                long[] result = new long[3];
                Throwable[] failure = new Throwable[1];
                Thread t = new Thread(() -> {
                    try {
                        fd.bindKickToCurrentThread();
                        long exits = 0;
                        int marks = 0;
                        while (true) {
                            VcpuExit e = fd.run();
                            if (e instanceof VcpuExit.IoOut o) {
                                if (o.port() == ExitBench.LOOP_PORT) {
                                    exits++;
                                } else if (o.port() == ExitBench.MARK_PORT) {
                                    if (marks < 2) {
                                        result[marks] = System.nanoTime();
                                    }
                                    marks++;
                                } else if (o.port() == 0xf4) {
                                    break;
                                }
                            } else if (e instanceof VcpuExit.IoIn) {
                                fd.completeIoIn(new byte[] {-1, -1, -1, -1});
                            } else if (!(e instanceof VcpuExit.Interrupted)) {
                                throw new IllegalStateException("unexpected exit " + e);
                            }
                        }
                        fd.unbindKick();
                        result[2] = exits;
                        if (marks != 2 || exits != n) {
                            throw new IllegalStateException(marks + " marker writes, " + exits + " exits");
                        }
                    } catch (Throwable x) {
                        failure[0] = x;
                    }
                }, "binding-vcpu-0");
                t.start();
                t.join();
                if (failure[0] != null) {
                    throw new IllegalStateException("binding loop failed", failure[0]);
                }
                return n == 0 ? 0 : (double) (result[1] - result[0]) / n;
            }
        }
    }
}
