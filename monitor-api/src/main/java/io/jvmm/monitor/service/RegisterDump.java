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
        StringBuilder b = new StringBuilder(2048);
        b.append("\nCPU#").append(s.cpuIndex()).append('\n');
        Regs r = s.regs();
        Sregs sr = s.sregs();
        boolean cs64 = sr.longMode();
        boolean lma = (sr.efer() & Sregs.EFER_LMA) != 0;
        boolean pe = (sr.cr0() & Sregs.CR0_PE) != 0;
        if (cs64) {
            reg(b, "RAX=", r.rax(), 16).append(' ');
            reg(b, "RBX=", r.rbx(), 16).append(' ');
            reg(b, "RCX=", r.rcx(), 16).append(' ');
            reg(b, "RDX=", r.rdx(), 16).append('\n');
            reg(b, "RSI=", r.rsi(), 16).append(' ');
            reg(b, "RDI=", r.rdi(), 16).append(' ');
            reg(b, "RBP=", r.rbp(), 16).append(' ');
            reg(b, "RSP=", r.rsp(), 16).append('\n');
            reg(b, "R8 =", r.r8(), 16).append(' ');
            reg(b, "R9 =", r.r9(), 16).append(' ');
            reg(b, "R10=", r.r10(), 16).append(' ');
            reg(b, "R11=", r.r11(), 16).append('\n');
            reg(b, "R12=", r.r12(), 16).append(' ');
            reg(b, "R13=", r.r13(), 16).append(' ');
            reg(b, "R14=", r.r14(), 16).append(' ');
            reg(b, "R15=", r.r15(), 16).append('\n');
            reg(b, "RIP=", r.rip(), 16).append(' ');
            reg(b, "RFL=", r.rflags(), 8).append(' ');
        } else {
            reg(b, "EAX=", r.rax(), 8).append(' ');
            reg(b, "EBX=", r.rbx(), 8).append(' ');
            reg(b, "ECX=", r.rcx(), 8).append(' ');
            reg(b, "EDX=", r.rdx(), 8).append('\n');
            reg(b, "ESI=", r.rsi(), 8).append(' ');
            reg(b, "EDI=", r.rdi(), 8).append(' ');
            reg(b, "EBP=", r.rbp(), 8).append(' ');
            reg(b, "ESP=", r.rsp(), 8).append('\n');
            reg(b, "EIP=", r.rip(), 8).append(' ');
            reg(b, "EFL=", r.rflags(), 8).append(' ');
        }
        long f = r.rflags();
        b.append('[').append(bit(f, EFLAGS_OF, 'O')).append(bit(f, EFLAGS_DF, 'D')).append(bit(f, EFLAGS_SF, 'S'))
                .append(bit(f, EFLAGS_ZF, 'Z')).append(bit(f, EFLAGS_AF, 'A')).append(bit(f, EFLAGS_PF, 'P'))
                .append(bit(f, EFLAGS_CF, 'C')).append("] CPL=").append(pe ? sr.cs().dpl() : 0)
                .append(" II=").append(s.events().interrupt().shadow() != 0 ? 1 : 0).append(" A20=1 SMM=")
                .append(s.events().smi().smm() ? 1 : 0).append(" HLT=").append(s.mpState() == MpState.HALTED ? 1 : 0)
                .append('\n');
        segment(b, "ES", sr.es(), cs64, lma, pe);
        segment(b, "CS", sr.cs(), cs64, lma, pe);
        segment(b, "SS", sr.ss(), cs64, lma, pe);
        segment(b, "DS", sr.ds(), cs64, lma, pe);
        segment(b, "FS", sr.fs(), cs64, lma, pe);
        segment(b, "GS", sr.gs(), cs64, lma, pe);
        segment(b, "LDT", sr.ldt(), cs64, lma, pe);
        segment(b, "TR", sr.tr(), cs64, lma, pe);
        int wide = cs64 ? 16 : 8;
        reg(b, "GDT=     ", sr.gdt().base(), wide).append(' ');
        hex(b, sr.gdt().limit(), 8).append('\n');
        reg(b, "IDT=     ", sr.idt().base(), wide).append(' ');
        hex(b, sr.idt().limit(), 8).append('\n');
        reg(b, "CR0=", sr.cr0(), 8).append(' ');
        reg(b, "CR2=", sr.cr2(), wide).append(' ');
        reg(b, "CR3=", sr.cr3(), wide).append(' ');
        reg(b, "CR4=", sr.cr4(), 8).append('\n');
        reg(b, "DR0=", s.debugRegs().dr0(), 16).append(' ');
        reg(b, "DR1=", s.debugRegs().dr1(), 16).append(' ');
        reg(b, "DR2=", s.debugRegs().dr2(), 16).append(' ');
        reg(b, "DR3=", s.debugRegs().dr3(), 16).append(" \n");
        reg(b, "DR6=", s.debugRegs().dr6(), 16).append(' ');
        reg(b, "DR7=", s.debugRegs().dr7(), 16).append('\n');
        reg(b, "EFER=", sr.efer(), 16).append('\n');
        fpu(b, s.fpu(), lma);
        return b.toString();
    }

    private static final char[] DIGITS = "0123456789abcdef".toCharArray();

    /** {@code value} as {@code digits} lower-case hex digits, zero-padded, truncated to its low bits. */
    static StringBuilder hex(StringBuilder b, long value, int digits) {
        for (int i = digits - 1; i >= 0; i--) {
            b.append(DIGITS[(int) (value >>> (4 * i)) & 0xf]);
        }
        return b;
    }

    private static StringBuilder reg(StringBuilder b, String name, long value, int digits) {
        return hex(b.append(name), value, digits);
    }

    private static char bit(long flags, long mask, char c) {
        return (flags & mask) != 0 ? c : '-';
    }

    private static void segment(StringBuilder b, String name, Segment s, boolean cs64, boolean lma, boolean pe) {
        b.append(name);
        for (int i = name.length(); i < 3; i++) {
            b.append(' ');
        }
        b.append('=');
        hex(b, s.selector(), 4).append(' ');
        hex(b, s.base(), cs64 ? 16 : 8).append(' ');
        hex(b, s.limit(), 8).append(' ');
        hex(b, s.descriptorFlags(), 8);
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
        reg(b, "FCW=", f.fcw(), 4).append(' ');
        reg(b, "FSW=", f.fsw(), 4).append(" [ST=").append((f.fsw() >> 11) & 7).append("] ");
        reg(b, "FTW=", f.ftwx(), 2).append(' ');
        reg(b, "MXCSR=", f.mxcsr(), 8).append('\n');
        byte[] fpr = f.fpr();
        for (int i = 0; i < 8; i++) {
            b.append("FPR").append(i).append('=');
            hex(b, le(fpr, i * 16, 8), 16).append(' ');
            hex(b, le(fpr, i * 16 + 8, 2), 4).append((i & 1) == 1 ? '\n' : ' ');
        }
        byte[] xmm = f.xmm();
        int n = lma ? 16 : 8;
        for (int i = 0; i < n; i++) {
            b.append("XMM").append(i < 10 ? "0" : "").append(i).append('=');
            hex(b, le(xmm, i * 16 + 8, 8), 16).append(' ');
            hex(b, le(xmm, i * 16, 8), 16).append((i & 1) == 1 ? '\n' : ' ');
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
