package io.jvmm.core.memory;

import com.sun.jna.Pointer;
import io.jvmm.kvm.HostMemory;

/**
 * Guest RAM: one contiguous region from guest-physical 0, backed by an anonymous host mapping.
 *
 * <p>Not guarded by the Big Lock: the guest writes it at any time without asking. The VMM writes
 * it only while the vCPUs that could read the same bytes are stopped (loading an image, building
 * tables at creation or reset) or for data the guest handed over (a device's buffer). All
 * accesses are bounds-checked against the RAM size.
 */
public final class GuestMemory implements AutoCloseable {
    private final HostMemory host;
    private final Pointer base;
    private final long size;

    private GuestMemory(HostMemory host) {
        this.host = host;
        this.base = host.pointer();
        this.size = host.size();
    }

    /**
     * Maps {@code size} bytes of zeroed RAM.
     *
     * @throws GuestMemoryException if the size is out of range or the host cannot map it
     */
    public static GuestMemory allocate(long size) {
        if (size < MemoryLayout.MIN_RAM || size > MemoryLayout.MAX_RAM || (size & 0xfff) != 0) {
            throw new GuestMemoryException("Guest RAM must be a multiple of 4 KiB between "
                    + (MemoryLayout.MIN_RAM >> 20) + " MiB and " + (MemoryLayout.MAX_RAM >> 20) + " MiB, got "
                    + size + " bytes");
        }
        return new GuestMemory(HostMemory.allocate(size));
    }

    /** RAM size in bytes. */
    public long size() {
        return size;
    }

    /** The host address of guest-physical 0, for KVM_SET_USER_MEMORY_REGION. */
    public long hostAddress() {
        return host.address();
    }

    /** Whether [address, address + length) lies in RAM. */
    public boolean contains(long address, long length) {
        return address >= 0 && length >= 0 && address <= size && length <= size - address;
    }

    private void check(long address, long length) {
        if (!contains(address, length)) {
            throw new GuestMemoryException(String.format("Guest access 0x%x+%d lies outside %d MiB of RAM", address,
                    length, size >> 20));
        }
    }

    /** Copies {@code data} to guest-physical {@code address}. */
    public void write(long address, byte[] data) {
        write(address, data, 0, data.length);
    }

    /** Copies {@code length} bytes of {@code data} from {@code offset} to guest-physical {@code address}. */
    public void write(long address, byte[] data, int offset, int length) {
        check(address, length);
        base.write(address, data, offset, length);
    }

    /** Reads {@code length} bytes at guest-physical {@code address}. */
    public byte[] read(long address, int length) {
        check(address, length);
        return base.getByteArray(address, length);
    }

    /** Zeroes {@code length} bytes at {@code address}. */
    public void fill(long address, long length, byte value) {
        check(address, length);
        base.setMemory(address, length, value);
    }

    /** The byte at {@code address}. */
    public int readU8(long address) {
        check(address, 1);
        return base.getByte(address) & 0xff;
    }

    /** The little-endian 32-bit value at {@code address}. */
    public long readU32(long address) {
        check(address, 4);
        return base.getInt(address) & 0xffffffffL;
    }

    /** The little-endian 64-bit value at {@code address}. */
    public long readU64(long address) {
        check(address, 8);
        return base.getLong(address);
    }

    /** Stores a byte. */
    public void writeU8(long address, int value) {
        check(address, 1);
        base.setByte(address, (byte) value);
    }

    /** Stores a little-endian 16-bit value. */
    public void writeU16(long address, int value) {
        check(address, 2);
        base.setShort(address, (short) value);
    }

    /** Stores a little-endian 32-bit value. */
    public void writeU32(long address, long value) {
        check(address, 4);
        base.setInt(address, (int) value);
    }

    /** Stores a little-endian 64-bit value. */
    public void writeU64(long address, long value) {
        check(address, 8);
        base.setLong(address, value);
    }

    /** Unmaps the RAM. No vCPU may run afterwards. */
    @Override
    public void close() {
        host.close();
    }
}
