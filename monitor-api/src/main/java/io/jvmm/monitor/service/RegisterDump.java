package io.jvmm.monitor.service;

import io.jvmm.core.vcpu.VcpuSnapshot;
import io.jvmm.kvm.Fpu;
import io.jvmm.kvm.MpState;
import io.jvmm.kvm.Regs;
import io.jvmm.kvm.Segment;
import io.jvmm.kvm.Sregs;

/**
 * Formats a vCPU snapshot as QEMU's x86 {@code info registers} does, field names, widths and
 * order included, so that scripts written against QEMU's monitor parse ours: a {@code CPU#N}
 * header, the general registers (EAX.. in 32-bit mode, RAX.. and R8-R15 in 64-bit mode),
 * EIP/EFL with the [ODSZAPC] flags and CPL/II/A20/SMM/HLT, one line per segment register with
 * the decoded DPL and type in protected mode, LDT, TR, GDT, IDT, CR0-CR4, DR0-DR3, DR6, DR7,
 * EFER, then x87 and SSE state.
 */
public final class RegisterDump {
    private static final long EFLAGS_CF = 1;
    private static final long EFLAGS_PF = 1 << 2;
    private static final long EFLAGS_AF = 1 << 4;
    private static final long EFLAGS_ZF = 1 << 6;
    private static final long EFLAGS_SF = 1 << 7;
    private static final long EFLAGS_DF = 1 << 10;
    private static final long EFLAGS_OF = 1 << 11;

    private static final String[] SYSTEM_TYPES_32 = {"Reserved", "TSS16-avl", "LDT", "TSS16-busy", "CallGate16",
        "TaskGate", "IntGate16", "TrapGate16", "Reserved", "TSS32-avl", "Reserved", "TSS32-busy", "CallGate32",
        "Reserved", "IntGate32", "TrapGate32"};
    private static final String[] SYSTEM_TYPES_64 = {"<hiword>", "Reserved", "LDT", "Reserved", "Reserved",
        "Reserved", "Reserved", "Reserved", "Reserved", "TSS64-avl", "Reserved", "TSS64-busy", "CallGate64",
        "Reserved", "IntGate64", "TrapGate64"};

    private RegisterDump() {
    }

    /** The block for one CPU, starting with the blank line and {@code CPU#N} header QEMU prints. */
    public static String format(VcpuSnapshot s) {
        StringBuilder b = new StringBuilder();
        b.append("\nCPU#").append(s.cpuIndex()).append('\n');
        Regs r = s.regs();
        Sregs sr = s.sregs();
        boolean cs64 = sr.longMode();
        boolean lma = (sr.efer() & Sregs.EFER_LMA) != 0;
        boolean pe = (sr.cr0() & Sregs.CR0_PE) != 0;
        String flagsField = String.format("[%c%c%c%c%c%c%c] CPL=%d II=%d A20=1 SMM=%d HLT=%d",
                bit(r.rflags(), EFLAGS_OF, 'O'), bit(r.rflags(), EFLAGS_DF, 'D'), bit(r.rflags(), EFLAGS_SF, 'S'),
                bit(r.rflags(), EFLAGS_ZF, 'Z'), bit(r.rflags(), EFLAGS_AF, 'A'), bit(r.rflags(), EFLAGS_PF, 'P'),
                bit(r.rflags(), EFLAGS_CF, 'C'), pe ? sr.cs().dpl() : 0, s.events().interrupt().shadow() != 0 ? 1 : 0,
                s.events().smi().smm() ? 1 : 0, s.mpState() == MpState.HALTED ? 1 : 0);
        if (cs64) {
            b.append(String.format("RAX=%016x RBX=%016x RCX=%016x RDX=%016x\n", r.rax(), r.rbx(), r.rcx(), r.rdx()));
            b.append(String.format("RSI=%016x RDI=%016x RBP=%016x RSP=%016x\n", r.rsi(), r.rdi(), r.rbp(), r.rsp()));
            b.append(String.format("R8 =%016x R9 =%016x R10=%016x R11=%016x\n", r.r8(), r.r9(), r.r10(), r.r11()));
            b.append(String.format("R12=%016x R13=%016x R14=%016x R15=%016x\n", r.r12(), r.r13(), r.r14(), r.r15()));
            b.append(String.format("RIP=%016x RFL=%08x %s\n", r.rip(), (int) r.rflags(), flagsField));
        } else {
            b.append(String.format("EAX=%08x EBX=%08x ECX=%08x EDX=%08x\n", (int) r.rax(), (int) r.rbx(),
                    (int) r.rcx(), (int) r.rdx()));
            b.append(String.format("ESI=%08x EDI=%08x EBP=%08x ESP=%08x\n", (int) r.rsi(), (int) r.rdi(),
                    (int) r.rbp(), (int) r.rsp()));
            b.append(String.format("EIP=%08x EFL=%08x %s\n", (int) r.rip(), (int) r.rflags(), flagsField));
        }
        segment(b, "ES", sr.es(), cs64, lma, pe);
        segment(b, "CS", sr.cs(), cs64, lma, pe);
        segment(b, "SS", sr.ss(), cs64, lma, pe);
        segment(b, "DS", sr.ds(), cs64, lma, pe);
        segment(b, "FS", sr.fs(), cs64, lma, pe);
        segment(b, "GS", sr.gs(), cs64, lma, pe);
        segment(b, "LDT", sr.ldt(), cs64, lma, pe);
        segment(b, "TR", sr.tr(), cs64, lma, pe);
        if (cs64) {
            b.append(String.format("GDT=     %016x %08x\n", sr.gdt().base(), sr.gdt().limit()));
            b.append(String.format("IDT=     %016x %08x\n", sr.idt().base(), sr.idt().limit()));
            b.append(String.format("CR0=%08x CR2=%016x CR3=%016x CR4=%08x\n", (int) sr.cr0(), sr.cr2(), sr.cr3(),
                    (int) sr.cr4()));
        } else {
            b.append(String.format("GDT=     %08x %08x\n", (int) sr.gdt().base(), sr.gdt().limit()));
            b.append(String.format("IDT=     %08x %08x\n", (int) sr.idt().base(), sr.idt().limit()));
            b.append(String.format("CR0=%08x CR2=%08x CR3=%08x CR4=%08x\n", (int) sr.cr0(), (int) sr.cr2(),
                    (int) sr.cr3(), (int) sr.cr4()));
        }
        b.append(String.format("DR0=%016x DR1=%016x DR2=%016x DR3=%016x \n", s.debugRegs().dr0(), s.debugRegs().dr1(),
                s.debugRegs().dr2(), s.debugRegs().dr3()));
        b.append(String.format("DR6=%016x DR7=%016x\n", s.debugRegs().dr6(), s.debugRegs().dr7()));
        b.append(String.format("EFER=%016x\n", sr.efer()));
        fpu(b, s.fpu(), lma);
        return b.toString();
    }

    private static char bit(long flags, long mask, char c) {
        return (flags & mask) != 0 ? c : '-';
    }

    private static void segment(StringBuilder b, String name, Segment s, boolean cs64, boolean lma, boolean pe) {
        int flags = s.descriptorFlags();
        if (cs64) {
            b.append(String.format("%-3s=%04x %016x %08x %08x", name, s.selector(), s.base(), s.limit(), flags));
        } else {
            b.append(String.format("%-3s=%04x %08x %08x %08x", name, s.selector(), (int) s.base(), s.limit(), flags));
        }
        if (pe && s.present()) {
            b.append(" DPL=").append(s.dpl()).append(' ');
            int type = s.type();
            if (s.s()) {
                boolean code = (type & 0x8) != 0;
                if (code) {
                    b.append(s.l() ? "CS64" : s.db() ? "CS32" : "CS16");
                    b.append(" [").append((type & 0x4) != 0 ? 'C' : '-').append((type & 0x2) != 0 ? 'R' : '-');
                } else {
                    b.append(s.db() || lma ? "DS  " : "DS16");
                    b.append(" [").append((type & 0x4) != 0 ? 'E' : '-').append((type & 0x2) != 0 ? 'W' : '-');
                }
                b.append((type & 0x1) != 0 ? 'A' : '-').append(']');
            } else {
                b.append((lma ? SYSTEM_TYPES_64 : SYSTEM_TYPES_32)[type & 0xf]);
            }
        }
        b.append('\n');
    }

    private static void fpu(StringBuilder b, Fpu f, boolean lma) {
        b.append(String.format("FCW=%04x FSW=%04x [ST=%d] FTW=%02x MXCSR=%08x\n", f.fcw(), f.fsw(), (f.fsw() >> 11) & 7,
                f.ftwx(), f.mxcsr()));
        byte[] fpr = f.fpr();
        for (int i = 0; i < 8; i++) {
            long mantissa = le(fpr, i * 16, 8);
            long exponent = le(fpr, i * 16 + 8, 2);
            b.append(String.format("FPR%d=%016x %04x", i, mantissa, exponent)).append((i & 1) == 1 ? '\n' : ' ');
        }
        byte[] xmm = f.xmm();
        int n = lma ? 16 : 8;
        for (int i = 0; i < n; i++) {
            b.append(String.format("XMM%02d=%016x %016x", i, le(xmm, i * 16 + 8, 8), le(xmm, i * 16, 8)))
                    .append((i & 1) == 1 ? '\n' : ' ');
        }
    }

    private static long le(byte[] a, int off, int n) {
        long v = 0;
        for (int i = n - 1; i >= 0; i--) {
            v = (v << 8) | (a[off + i] & 0xffL);
        }
        return v;
    }
}
