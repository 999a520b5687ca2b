package io.jvmm.kvm;

import com.sun.jna.Pointer;
import io.jvmm.kvm.KvmAbi.KvmFpu;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/** x87 and SSE state ({@code struct kvm_fpu}); {@code fpr} is 8 x 16 bytes, {@code xmm} 16 x 16. */
public record Fpu(byte[] fpr, int fcw, int fsw, int ftwx, int lastOpcode, long lastIp, long lastDp,
                  byte[] xmm, int mxcsr) {

    // The legacy FXSAVE area at the start of an XSAVE image (Intel SDM vol. 1, 10.5.1), and the
    // XSAVE header's XSTATE_BV (13.4.2): bit 0 x87, bit 1 SSE; a clear bit loads the init state.
    private static final int FX_FCW = 0;
    private static final int FX_FSW = 2;
    private static final int FX_FTW = 4;
    private static final int FX_FOP = 6;
    private static final int FX_FIP = 8;
    private static final int FX_FDP = 16;
    private static final int FX_MXCSR = 24;
    private static final int FX_ST = 32;
    private static final int FX_XMM = 160;
    private static final int XSTATE_BV = 512;
    private static final long XSTATE_X87_SSE = 0x3;

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

    /** The x87/SSE state in the legacy FXSAVE area at the start of an XSAVE image. */
    public static Fpu fromXsave(byte[] xsave) {
        ByteBuffer b = ByteBuffer.wrap(xsave).order(ByteOrder.LITTLE_ENDIAN);
        byte[] fpr = new byte[128];
        for (int i = 0; i < 8; i++) {
            System.arraycopy(xsave, FX_ST + 16 * i, fpr, 16 * i, 10);
        }
        byte[] xmm = new byte[256];
        System.arraycopy(xsave, FX_XMM, xmm, 0, 256);
        return new Fpu(fpr, b.getShort(FX_FCW) & 0xffff, b.getShort(FX_FSW) & 0xffff,
                xsave[FX_FTW] & 0xff, b.getShort(FX_FOP) & 0xffff,
                b.getLong(FX_FIP), b.getLong(FX_FDP),
                xmm, b.getInt(FX_MXCSR));
    }

    /** A copy of {@code xsave} with its legacy FXSAVE area holding this state; the rest is kept. */
    public byte[] intoXsave(byte[] xsave) {
        byte[] out = xsave.clone();
        ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(FX_FCW, (short) fcw);
        b.putShort(FX_FSW, (short) fsw);
        out[FX_FTW] = (byte) ftwx;
        b.putShort(FX_FOP, (short) lastOpcode);
        b.putLong(FX_FIP, lastIp);
        b.putLong(FX_FDP, lastDp);
        b.putInt(FX_MXCSR, mxcsr);
        b.putLong(XSTATE_BV, b.getLong(XSTATE_BV) | XSTATE_X87_SSE);
        for (int i = 0; i < 8; i++) {
            System.arraycopy(fpr, 16 * i, out, FX_ST + 16 * i, 10);
        }
        System.arraycopy(xmm, 0, out, FX_XMM, 256);
        return out;
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
