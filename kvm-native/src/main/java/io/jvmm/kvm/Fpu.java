package io.jvmm.kvm;

import com.sun.jna.Pointer;
import io.jvmm.kvm.KvmAbi.KvmFpu;
import java.util.Arrays;

/** x87 and SSE state ({@code struct kvm_fpu}); {@code fpr} is 8 x 16 bytes, {@code xmm} 16 x 16. */
public record Fpu(byte[] fpr, int fcw, int fsw, int ftwx, int lastOpcode, long lastIp, long lastDp,
                  byte[] xmm, int mxcsr) {

    public Fpu {
        fpr = fpr.clone();
        xmm = xmm.clone();
    }

    @Override
    public byte[] fpr() {
        return fpr.clone();
    }

    @Override
    public byte[] xmm() {
        return xmm.clone();
    }

    /** The state after INIT: FCW 0x37f, MXCSR 0x1f80, everything else zero. */
    public static Fpu reset() {
        return new Fpu(new byte[128], 0x37f, 0, 0, 0, 0, 0, new byte[256], 0x1f80);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Fpu x && Arrays.equals(x.fpr, fpr) && x.fcw == fcw && x.fsw == fsw && x.ftwx == ftwx
                && x.lastOpcode == lastOpcode && x.lastIp == lastIp && x.lastDp == lastDp
                && Arrays.equals(x.xmm, xmm) && x.mxcsr == mxcsr;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(fpr) * 31 + Arrays.hashCode(xmm) + fcw + mxcsr;
    }

    @Override
    public String toString() {
        return "Fpu[fcw=0x" + Integer.toHexString(fcw) + ", fsw=0x" + Integer.toHexString(fsw)
                + ", mxcsr=0x" + Integer.toHexString(mxcsr) + "]";
    }

    static Fpu read(Pointer p) {
        return new Fpu(p.getByteArray(KvmFpu.FPR, 128), p.getShort(KvmFpu.FCW) & 0xffff,
                p.getShort(KvmFpu.FSW) & 0xffff, p.getByte(KvmFpu.FTWX) & 0xff,
                p.getShort(KvmFpu.LAST_OPCODE) & 0xffff, p.getLong(KvmFpu.LAST_IP), p.getLong(KvmFpu.LAST_DP),
                p.getByteArray(KvmFpu.XMM, 256), p.getInt(KvmFpu.MXCSR));
    }

    void write(Pointer p) {
        p.write(KvmFpu.FPR, fpr, 0, 128);
        p.setShort(KvmFpu.FCW, (short) fcw);
        p.setShort(KvmFpu.FSW, (short) fsw);
        p.setByte(KvmFpu.FTWX, (byte) ftwx);
        p.setShort(KvmFpu.LAST_OPCODE, (short) lastOpcode);
        p.setLong(KvmFpu.LAST_IP, lastIp);
        p.setLong(KvmFpu.LAST_DP, lastDp);
        p.write(KvmFpu.XMM, xmm, 0, 256);
        p.setInt(KvmFpu.MXCSR, mxcsr);
    }
}
