package io.jvmm.core.boot;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Assembles synthetic bzImages for the loader tests: a boot sector and setup sectors holding a
 * setup header (by default protocol 2.15, 64-bit, relocatable, as a current x86_64 kernel has it),
 * then a small protected-mode "kernel". Offsets are those of Documentation/arch/x86/boot.rst; every
 * field can be set to a bad value.
 */
final class BzImageBuilder {
    private int setupSects = 4;
    private int protocol = 0x020f;
    private int jumpEnd = 0x26c; // 0x202 + the byte at 0x201
    private int loadflags = 0x01; // LOADED_HIGH
    private int xloadflags = 0x03; // XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G
    private long cmdlineSize = 2047;
    private long initrdAddrMax = 0x7fffffff;
    private long kernelAlignment = 0x200000;
    private int relocatable = 1;
    private long prefAddress = 0x1000000;
    private long initSize = 0x800000;
    private long payloadOffset;
    private long payloadLength;
    private byte[] kernel = ElfBuilder.pattern(0x3000, 0x40);
    private boolean magic = true;

    BzImageBuilder setupSects(int v) {
        setupSects = v;
        return this;
    }

    BzImageBuilder protocol(int v) {
        protocol = v;
        return this;
    }

    BzImageBuilder headerEnd(int v) {
        jumpEnd = v;
        return this;
    }

    BzImageBuilder loadflags(int v) {
        loadflags = v;
        return this;
    }

    BzImageBuilder xloadflags(int v) {
        xloadflags = v;
        return this;
    }

    BzImageBuilder cmdlineSize(long v) {
        cmdlineSize = v;
        return this;
    }

    BzImageBuilder initrdAddrMax(long v) {
        initrdAddrMax = v;
        return this;
    }

    BzImageBuilder kernelAlignment(long v) {
        kernelAlignment = v;
        return this;
    }

    BzImageBuilder relocatable(boolean v) {
        relocatable = v ? 1 : 0;
        return this;
    }

    BzImageBuilder prefAddress(long v) {
        prefAddress = v;
        return this;
    }

    BzImageBuilder initSize(long v) {
        initSize = v;
        return this;
    }

    /** payload_offset (from the protected-mode kernel's start) and payload_length. */
    BzImageBuilder payload(long offset, long length) {
        payloadOffset = offset;
        payloadLength = length;
        return this;
    }

    BzImageBuilder kernel(byte[] v) {
        kernel = v.clone();
        return this;
    }

    BzImageBuilder noMagic() {
        magic = false;
        return this;
    }

    /** The file offset of the protected-mode kernel. */
    int kernelOffset() {
        return ((setupSects == 0 ? 4 : setupSects) + 1) * 512;
    }

    byte[] build() {
        int off = kernelOffset();
        ByteBuffer b = ByteBuffer.allocate(off + kernel.length).order(ByteOrder.LITTLE_ENDIAN);
        // Setup sectors hold a recognisable filler so a header copy that takes too much shows.
        for (int i = 0; i < off; i++) {
            b.put(i, (byte) 0xcc);
        }
        for (int i = 0x1f1; i < Math.min(Math.max(jumpEnd, 0x208), off); i++) {
            b.put(i, (byte) 0);
        }
        b.put(0x1f1, (byte) setupSects);
        b.putShort(0x1f2, (short) 1); // root_flags
        b.putInt(0x1f4, kernel.length / 16); // syssize
        b.putShort(0x1fa, (short) 0xffff); // vid_mode: normal
        b.putShort(0x1fe, (short) 0xaa55); // boot_flag
        b.put(0x200, (byte) 0xeb).put(0x201, (byte) (jumpEnd - 0x202)); // jmp short past the header
        if (magic) {
            b.putInt(0x202, 0x53726448); // "HdrS"
        }
        b.putShort(0x206, (short) protocol);
        b.putShort(0x20e, (short) 0x3a00); // kernel_version
        b.put(0x211, (byte) loadflags);
        b.putInt(0x214, 0x100000); // code32_start
        b.putInt(0x22c, (int) initrdAddrMax);
        b.putInt(0x230, (int) kernelAlignment);
        b.put(0x234, (byte) relocatable);
        b.put(0x235, (byte) 21); // min_alignment
        b.putShort(0x236, (short) xloadflags);
        b.putInt(0x238, (int) cmdlineSize);
        b.putInt(0x248, (int) payloadOffset);
        b.putInt(0x24c, (int) payloadLength);
        b.putLong(0x258, prefAddress);
        b.putInt(0x260, (int) initSize);
        b.putInt(0x264, 0x1234); // handover_offset
        b.putInt(0x268, 0x5678); // kernel_info_offset
        b.put(off, kernel);
        return b.array();
    }
}
