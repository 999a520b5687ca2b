package io.jvmm.kvm;

import com.sun.jna.Pointer;
import io.jvmm.kvm.KvmAbi.KvmRegs;

/** The general-purpose registers of {@code struct kvm_regs}. */
public record Regs(long rax, long rbx, long rcx, long rdx, long rsi, long rdi, long rsp, long rbp,
                   long r8, long r9, long r10, long r11, long r12, long r13, long r14, long r15,
                   long rip, long rflags) {

    /** Register names in {@code struct kvm_regs} order, as QEMU's dump spells them in 64-bit mode. */
    public static final String[] NAMES = {"RAX", "RBX", "RCX", "RDX", "RSI", "RDI", "RSP", "RBP",
        "R8", "R9", "R10", "R11", "R12", "R13", "R14", "R15", "RIP", "RFL"};

    /** All zero but bit 1 of RFLAGS, which is always set: the state after INIT, less RIP and RDX. */
    public static Regs reset() {
        return new Regs(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x2);
    }

    /** The registers as an array in struct order (rax .. r15, rip, rflags). */
    public long[] toArray() {
        return new long[] {rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp, r8, r9, r10, r11, r12, r13, r14, r15, rip, rflags};
    }

    /** The inverse of {@link #toArray()}. */
    public static Regs of(long[] v) {
        if (v.length != 18) {
            throw new IllegalArgumentException("kvm_regs has 18 registers, got " + v.length);
        }
        return new Regs(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11],
                v[12], v[13], v[14], v[15], v[16], v[17]);
    }

    /** A copy with a new RIP. */
    public Regs withRip(long newRip) {
        long[] v = toArray();
        v[16] = newRip;
        return of(v);
    }

    /** A copy with new RAX and RBX (the Multiboot handoff registers). */
    public Regs withRaxRbx(long newRax, long newRbx) {
        long[] v = toArray();
        v[0] = newRax;
        v[1] = newRbx;
        return of(v);
    }

    /** A copy with a new RSP. */
    public Regs withRsp(long newRsp) {
        long[] v = toArray();
        v[6] = newRsp;
        return of(v);
    }

    static Regs read(Pointer p) {
        long[] v = new long[18];
        for (int i = 0; i < 18; i++) {
            v[i] = p.getLong(KvmRegs.RAX + 8L * i);
        }
        return of(v);
    }

    void write(Pointer p) {
        long[] v = toArray();
        for (int i = 0; i < 18; i++) {
            p.setLong(KvmRegs.RAX + 8L * i, v[i]);
        }
    }
}
