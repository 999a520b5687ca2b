package io.jvmm.kvm;

import com.sun.jna.Pointer;
import io.jvmm.kvm.KvmAbi.KvmDebugregs;

/** DR0-DR3, DR6 and DR7 ({@code struct kvm_debugregs}). */
public record DebugRegs(long dr0, long dr1, long dr2, long dr3, long dr6, long dr7, long flags) {
    /** The architectural values after INIT. */
    public static DebugRegs reset() {
        return new DebugRegs(0, 0, 0, 0, 0xffff0ff0L, 0x400, 0);
    }

    static DebugRegs read(Pointer p) {
        return new DebugRegs(p.getLong(KvmDebugregs.DB), p.getLong(KvmDebugregs.DB + 8),
                p.getLong(KvmDebugregs.DB + 16), p.getLong(KvmDebugregs.DB + 24), p.getLong(KvmDebugregs.DR6),
                p.getLong(KvmDebugregs.DR7), p.getLong(KvmDebugregs.FLAGS));
    }

    void write(Pointer p) {
        p.setLong(KvmDebugregs.DB, dr0);
        p.setLong(KvmDebugregs.DB + 8, dr1);
        p.setLong(KvmDebugregs.DB + 16, dr2);
        p.setLong(KvmDebugregs.DB + 24, dr3);
        p.setLong(KvmDebugregs.DR6, dr6);
        p.setLong(KvmDebugregs.DR7, dr7);
        p.setLong(KvmDebugregs.FLAGS, flags);
    }
}
