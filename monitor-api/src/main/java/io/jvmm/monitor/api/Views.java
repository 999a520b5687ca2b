package io.jvmm.monitor.api;

import io.jvmm.core.machine.Machine;
import io.jvmm.core.machine.MachineExit;
import io.jvmm.core.machine.MachineState;
import io.jvmm.core.vcpu.Vcpu;
import io.jvmm.core.vcpu.VcpuSnapshot;
import io.jvmm.kvm.MpState;
import io.jvmm.kvm.Regs;
import io.jvmm.kvm.Segment;
import io.jvmm.kvm.Sregs;
import io.jvmm.monitor.service.ManagedVm;
import io.jvmm.monitor.service.MonitorCommandException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Turns machines, vCPUs and snapshots into the JSON bodies of {@link Dtos}. */
final class Views {
    private Views() {
    }

    static Dtos.VmStatus status(ManagedVm vm) {
        Machine m = vm.machine();
        MachineExit exit = m.exitFuture().getNow(null);
        long boot = m.bootNanos();
        return new Dtos.VmStatus(vm.id(), vm.spec().name(), vm.spec().guest(), m.state().tag(), m.state() == MachineState.RUNNING,
                m.config().topology().canonical(), m.config().topology().cpus(), m.config().memorySize(),
                m.config().secondariesPoweredOff(), vm.created().toString(), boot < 0 ? null : boot / 1e6,
                exit == null ? null : new Dtos.Exit(exit.kind().name().toLowerCase(Locale.ROOT), exit.code(),
                        exit.reason()), vm.qmpPath() == null ? null : vm.qmpPath().toString());
    }

    static List<Dtos.Cpu> cpus(ManagedVm vm) {
        return vm.machine().vcpus().stream().map(v -> cpu(v, vm.currentCpu())).toList();
    }

    private static Dtos.Cpu cpu(Vcpu v, int current) {
        return new Dtos.Cpu(v.index(), v.apicId(), v.hostThreadId(), v.runState().tag(), v.inGuest(),
                v.index() == current);
    }

    /** Parses the {cpu} path segment. */
    static int cpuIndex(ManagedVm vm, String cpu) {
        int n = vm.machine().vcpus().size();
        try {
            int i = Integer.parseInt(cpu);
            if (i >= 0 && i < n) {
                return i;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new MonitorCommandException("GenericError", "CPU '" + cpu + "' does not exist; this VM has "
                + (n == 1 ? "CPU 0" : "CPUs 0-" + (n - 1)));
    }

    private static String hex(long v) {
        return String.format("0x%x", v);
    }

    static Dtos.Registers registers(VcpuSnapshot s) {
        Regs r = s.regs();
        Sregs sr = s.sregs();
        String mode = sr.longMode() ? "long" : (sr.cr0() & Sregs.CR0_PE) != 0 ? "protected" : "real";
        Map<String, String> regs = new LinkedHashMap<>();
        long[] v = r.toArray();
        for (int i = 0; i < v.length; i++) {
            regs.put(Regs.NAMES[i].toLowerCase(Locale.ROOT), hex(v[i]));
        }
        Map<String, Dtos.SegmentRegs> segs = new LinkedHashMap<>();
        segs.put("es", seg(sr.es()));
        segs.put("cs", seg(sr.cs()));
        segs.put("ss", seg(sr.ss()));
        segs.put("ds", seg(sr.ds()));
        segs.put("fs", seg(sr.fs()));
        segs.put("gs", seg(sr.gs()));
        segs.put("ldt", seg(sr.ldt()));
        segs.put("tr", seg(sr.tr()));
        Map<String, String> tables = new LinkedHashMap<>();
        tables.put("gdt-base", hex(sr.gdt().base()));
        tables.put("gdt-limit", hex(sr.gdt().limit()));
        tables.put("idt-base", hex(sr.idt().base()));
        tables.put("idt-limit", hex(sr.idt().limit()));
        Map<String, String> control = new LinkedHashMap<>();
        control.put("cr0", hex(sr.cr0()));
        control.put("cr2", hex(sr.cr2()));
        control.put("cr3", hex(sr.cr3()));
        control.put("cr4", hex(sr.cr4()));
        control.put("efer", hex(sr.efer()));
        control.put("apic-base", hex(sr.apicBase()));
        control.put("dr6", hex(s.debugRegs().dr6()));
        control.put("dr7", hex(s.debugRegs().dr7()));
        control.put("tsc", hex(s.tsc()));
        return new Dtos.Registers(s.cpuIndex(), s.apicId(), mode, s.mpState().name().toLowerCase(Locale.ROOT),
                s.mpState() == MpState.HALTED, regs, segs, tables, control, s.events().nmi().pending(),
                s.events().nmi().masked());
    }

    private static Dtos.SegmentRegs seg(Segment s) {
        return new Dtos.SegmentRegs(s.selector(), hex(s.base()), hex(s.limit() & 0xffffffffL),
                String.format("0x%08x", s.descriptorFlags()));
    }
}
