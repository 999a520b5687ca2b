package io.jvmm.kvm;

import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import io.jvmm.kvm.KvmAbi.KvmRun;

/**
 * A view of one vCPU's mmapped {@code kvm_run} page, read at fixed offsets through a direct
 * {@link ByteBuffer} over the mapping (it is touched on every exit: buffer accesses compile to
 * plain loads and stores, where JNA's Pointer accessors are a native call each). The mapping
 * belongs to the {@link VcpuFd}; this view is valid while the VcpuFd is open.
 */
public final class KvmRunPage {
    /** Exit reasons (KVM_EXIT_*), checked by KvmAbiTest. */
    @Abi.Value("KVM_EXIT_UNKNOWN") static final int EXIT_UNKNOWN = 0;
    @Abi.Value("KVM_EXIT_EXCEPTION") static final int EXIT_EXCEPTION = 1;
    @Abi.Value("KVM_EXIT_IO") static final int EXIT_IO = 2;
    @Abi.Value("KVM_EXIT_HLT") static final int EXIT_HLT = 5;
    @Abi.Value("KVM_EXIT_MMIO") static final int EXIT_MMIO = 6;
    @Abi.Value("KVM_EXIT_SHUTDOWN") static final int EXIT_SHUTDOWN = 8;
    @Abi.Value("KVM_EXIT_FAIL_ENTRY") static final int EXIT_FAIL_ENTRY = 9;
    @Abi.Value("KVM_EXIT_INTR") static final int EXIT_INTR = 10;
    @Abi.Value("KVM_EXIT_INTERNAL_ERROR") static final int EXIT_INTERNAL_ERROR = 17;
    @Abi.Value("KVM_EXIT_SYSTEM_EVENT") static final int EXIT_SYSTEM_EVENT = 24;

    private final ByteBuffer page;
    private final long mappedSize;

    KvmRunPage(Pointer mapping, long mappedSize) {
        // The buffer spans exactly the mapping VcpuFd made (KVM_GET_VCPU_MMAP_SIZE bytes) and lives as long.
        this.page = mapping.getByteBuffer(0, mappedSize).order(ByteOrder.LITTLE_ENDIAN);
        this.mappedSize = mappedSize;
    }

    /** The raw exit reason of the last KVM_RUN. */
    public int exitReason() {
        return page.getInt(KvmRun.EXIT_REASON);
    }

    /** Sets or clears {@code immediate_exit}: while set, KVM_RUN returns EINTR without entering the guest. */
    public void setImmediateExit(boolean on) {
        page.put(KvmRun.IMMEDIATE_EXIT, (byte) (on ? 1 : 0));
    }

    /** Whether {@code immediate_exit} is set. */
    public boolean immediateExit() {
        return page.get(KvmRun.IMMEDIATE_EXIT) != 0;
    }

    /** Decodes the exit the page describes. */
    VcpuExit decode() {
        int reason = exitReason();
        switch (reason) {
            case EXIT_IO: {
                int direction = page.get(KvmRun.IO_DIRECTION);
                int size = page.get(KvmRun.IO_SIZE);
                int port = page.getShort(KvmRun.IO_PORT) & 0xffff;
                int count = page.getInt(KvmRun.IO_COUNT);
                if (direction == KvmRun.IO_OUT) {
                    return new VcpuExit.IoOut(port, size, count, bytes(ioDataOffset(size, count), size * count));
                }
                return new VcpuExit.IoIn(port, size, count);
            }
            case EXIT_MMIO: {
                long addr = page.getLong(KvmRun.MMIO_PHYS_ADDR);
                int len = page.getInt(KvmRun.MMIO_LEN);
                if (page.get(KvmRun.MMIO_IS_WRITE) != 0) {
                    long v = 0;
                    for (int i = len - 1; i >= 0; i--) {
                        v = (v << 8) | (page.get(KvmRun.MMIO_DATA + i) & 0xffL);
                    }
                    return new VcpuExit.MmioWrite(addr, len, v);
                }
                return new VcpuExit.MmioRead(addr, len);
            }
            case EXIT_HLT:
                return VcpuExit.HLT;
            case EXIT_SHUTDOWN:
                return VcpuExit.SHUTDOWN;
            case EXIT_INTR:
                return VcpuExit.INTERRUPTED;
            case EXIT_INTERNAL_ERROR: {
                int n = Math.min(page.getInt(KvmRun.INTERNAL_NDATA), 16);
                return new VcpuExit.InternalError(page.getInt(KvmRun.INTERNAL_SUBERROR),
                        longs(KvmRun.INTERNAL_DATA, Math.max(n, 0)));
            }
            case EXIT_FAIL_ENTRY:
                return new VcpuExit.FailEntry(page.getLong(KvmRun.FAIL_ENTRY_REASON), page.getInt(KvmRun.FAIL_ENTRY_CPU));
            case EXIT_SYSTEM_EVENT: {
                int n = Math.min(page.getInt(KvmRun.SYSTEM_EVENT_NDATA), 16);
                return new VcpuExit.SystemEvent(page.getInt(KvmRun.SYSTEM_EVENT_TYPE),
                        longs(KvmRun.SYSTEM_EVENT_DATA, Math.max(n, 0)));
            }
            case EXIT_EXCEPTION:
                return new VcpuExit.Exception(page.getInt(KvmRun.EX_EXCEPTION), page.getInt(KvmRun.EX_ERROR_CODE));
            default:
                return new VcpuExit.Unknown(reason);
        }
    }

    /** Writes the answer to an {@link VcpuExit.IoIn}: {@code data} holds count items of size bytes. */
    void completeIoIn(byte[] data) {
        int size = page.get(KvmRun.IO_SIZE);
        int count = page.getInt(KvmRun.IO_COUNT);
        if (exitReason() != EXIT_IO || page.get(KvmRun.IO_DIRECTION) != KvmRun.IO_IN) {
            throw new IllegalStateException("The last exit was not an I/O read");
        }
        if (data.length != size * count) {
            throw new IllegalArgumentException("I/O read wants " + size * count + " bytes, got " + data.length);
        }
        page.put((int) ioDataOffset(size, count), data);
    }

    /** Writes the answer to an {@link VcpuExit.MmioRead}. */
    void completeMmioRead(long value) {
        int len = page.getInt(KvmRun.MMIO_LEN);
        if (exitReason() != EXIT_MMIO || page.get(KvmRun.MMIO_IS_WRITE) != 0) {
            throw new IllegalStateException("The last exit was not an MMIO read");
        }
        for (int i = 0; i < len && i < 8; i++) {
            page.put(KvmRun.MMIO_DATA + i, (byte) (value >>> (8 * i)));
        }
    }

    private byte[] bytes(long offset, int n) {
        byte[] out = new byte[n];
        page.get((int) offset, out);
        return out;
    }

    private long[] longs(int offset, int n) {
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = page.getLong(offset + 8 * i);
        }
        return out;
    }

    /** The data offset of the current I/O exit, checked to lie inside the mapping KVM gave us. */
    private long ioDataOffset(int size, int count) {
        long off = page.getLong(KvmRun.IO_DATA_OFFSET);
        if (off < KvmRun.SIZE || off + (long) size * count > mappedSize) {
            throw new KvmException("KVM_RUN", "I/O data offset " + off + " lies outside the " + mappedSize
                    + "-byte kvm_run mapping");
        }
        return off;
    }
}
