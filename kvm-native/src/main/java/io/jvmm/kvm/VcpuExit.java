package io.jvmm.kvm;

import java.util.Arrays;

/**
 * Why KVM_RUN returned, as a typed value decoded from the vCPU's {@code kvm_run} page.
 *
 * <p>The records carry copies of what the page held; they stay valid after the next KVM_RUN.
 * An exit this binding does not decode keeps its reason number in {@link Unknown}.
 */
public sealed interface VcpuExit {
    /** {@code in} from an I/O port: {@code count} items of {@code size} bytes; answer with {@link VcpuFd#completeIoIn}. */
    record IoIn(int port, int size, int count) implements VcpuExit {
    }

    /** {@code out} to an I/O port: {@code count} items of {@code size} bytes, little-endian, in {@code data}. */
    record IoOut(int port, int size, int count, byte[] data) implements VcpuExit {
        /** Item {@code i} of the data, zero-extended. */
        public long value(int i) {
            long v = 0;
            for (int b = size - 1; b >= 0; b--) {
                v = (v << 8) | (data[i * size + b] & 0xffL);
            }
            return v;
        }

        /** The first (usually the only) item. */
        public long value() {
            return value(0);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof IoOut other && other.port == port && other.size == size
                    && other.count == count && Arrays.equals(other.data, data);
        }

        @Override
        public int hashCode() {
            return 31 * (31 * port + size) + Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "IoOut[port=0x" + Integer.toHexString(port) + ", size=" + size + ", count=" + count
                    + ", value=0x" + Long.toHexString(value()) + "]";
        }
    }

    /** A read from an address no memory slot backs; answer with {@link VcpuFd#completeMmioRead}. */
    record MmioRead(long address, int length) implements VcpuExit {
    }

    /** A write to an address no memory slot backs. */
    record MmioWrite(long address, int length, long value) implements VcpuExit {
    }

    /** HLT executed with no in-kernel local APIC to sleep in. */
    record Hlt() implements VcpuExit {
    }

    /** The vCPU shut down: a triple fault. */
    record Shutdown() implements VcpuExit {
    }

    /** KVM could not emulate or deliver something; {@code suberror} is a KVM_INTERNAL_ERROR_* value. */
    record InternalError(int suberror, long[] data) implements VcpuExit {
        @Override
        public boolean equals(Object o) {
            return o instanceof InternalError other && other.suberror == suberror && Arrays.equals(other.data, data);
        }

        @Override
        public int hashCode() {
            return 31 * suberror + Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder("InternalError[suberror=").append(suberror).append(", data=[");
            for (int i = 0; i < data.length; i++) {
                sb.append(i == 0 ? "0x" : ", 0x").append(Long.toHexString(data[i]));
            }
            return sb.append("]]").toString();
        }
    }

    /** The hardware refused to enter the guest. */
    record FailEntry(long hardwareReason, int cpu) implements VcpuExit {
    }

    /** A guest-requested system event: KVM_SYSTEM_EVENT_SHUTDOWN (1), RESET (2), CRASH (3), ... */
    record SystemEvent(int type, long[] data) implements VcpuExit {
        @Override
        public boolean equals(Object o) {
            return o instanceof SystemEvent other && other.type == type && Arrays.equals(other.data, data);
        }

        @Override
        public int hashCode() {
            return 31 * type + Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "SystemEvent[type=" + type + ", data=" + Arrays.toString(data) + "]";
        }
    }

    /** An exception the guest raised that KVM reports to user space. */
    record Exception(int vector, int errorCode) implements VcpuExit {
    }

    /** KVM_RUN returned without running to an exit: EINTR after a kick, or KVM_EXIT_INTR. */
    record Interrupted() implements VcpuExit {
    }

    /** An exit reason this binding does not decode, kept as its number. */
    record Unknown(int reason) implements VcpuExit {
    }

    /** Shared instances of the exits that carry no data. */
    VcpuExit HLT = new Hlt();
    /** See {@link Shutdown}. */
    VcpuExit SHUTDOWN = new Shutdown();
    /** See {@link Interrupted}. */
    VcpuExit INTERRUPTED = new Interrupted();

    /** A short name for metrics and logs, e.g. "io_out", "mmio_write", "hlt". */
    default String reasonName() {
        if (this instanceof IoIn) {
            return "io_in";
        } else if (this instanceof IoOut) {
            return "io_out";
        } else if (this instanceof MmioRead) {
            return "mmio_read";
        } else if (this instanceof MmioWrite) {
            return "mmio_write";
        } else if (this instanceof Hlt) {
            return "hlt";
        } else if (this instanceof Shutdown) {
            return "shutdown";
        } else if (this instanceof InternalError) {
            return "internal_error";
        } else if (this instanceof FailEntry) {
            return "fail_entry";
        } else if (this instanceof SystemEvent) {
            return "system_event";
        } else if (this instanceof Exception) {
            return "exception";
        } else if (this instanceof Interrupted) {
            return "interrupted";
        }
        return "unknown";
    }
}
