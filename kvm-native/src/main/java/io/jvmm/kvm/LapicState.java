package io.jvmm.kvm;

import java.util.Arrays;

/** The in-kernel local APIC's register page ({@code struct kvm_lapic_state}): 1 KiB, registers at 16-byte strides. */
public record LapicState(byte[] regs) {
    /** Offset of the APIC ID register; in xAPIC mode the ID is in bits 31:24. */
    public static final int REG_ID = 0x20;
    /** Offset of the version register. */
    public static final int REG_VERSION = 0x30;
    /** Spurious interrupt vector register; bit 8 enables the APIC in software. */
    public static final int REG_SPURIOUS = 0xf0;
    /** LVT LINT0 and LINT1. */
    public static final int REG_LVT_LINT0 = 0x350;
    public static final int REG_LVT_LINT1 = 0x360;
    /** Delivery mode fields of an LVT entry (bits 10:8). */
    public static final int DM_NMI = 0x4 << 8;
    public static final int DM_EXTINT = 0x7 << 8;
    /** The delivery mode field of an LVT entry. */
    public static final int LVT_DELIVERY_MODE = 0x7 << 8;
    /** The mask bit of an LVT entry. */
    public static final int LVT_MASKED = 1 << 16;

    public LapicState {
        if (regs.length != KvmAbi.KvmLapicState.SIZE) {
            throw new IllegalArgumentException("kvm_lapic_state is 1024 bytes, got " + regs.length);
        }
        regs = regs.clone();
    }

    @Override
    public byte[] regs() {
        return regs.clone();
    }

    /** The 32-bit register at {@code offset}. */
    public int register(int offset) {
        return (regs[offset] & 0xff) | (regs[offset + 1] & 0xff) << 8 | (regs[offset + 2] & 0xff) << 16
                | (regs[offset + 3] & 0xff) << 24;
    }

    /** A copy with the 32-bit register at {@code offset} replaced. */
    public LapicState withRegister(int offset, int value) {
        byte[] copy = regs.clone();
        copy[offset] = (byte) value;
        copy[offset + 1] = (byte) (value >>> 8);
        copy[offset + 2] = (byte) (value >>> 16);
        copy[offset + 3] = (byte) (value >>> 24);
        return new LapicState(copy);
    }

    /** Whether the LVT entry at {@code offset} is unmasked and set to delivery mode {@code mode} (a {@code DM_*}). */
    public boolean lvtDelivers(int offset, int mode) {
        int entry = register(offset);
        return (entry & LVT_MASKED) == 0 && (entry & LVT_DELIVERY_MODE) == mode;
    }

    /** The xAPIC ID (bits 31:24 of the ID register). */
    public int apicId() {
        return register(REG_ID) >>> 24;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LapicState x && Arrays.equals(x.regs, regs);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(regs);
    }

    @Override
    public String toString() {
        return "LapicState[id=" + apicId() + "]";
    }
}
