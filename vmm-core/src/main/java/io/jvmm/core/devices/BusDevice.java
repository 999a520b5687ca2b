package io.jvmm.core.devices;

/**
 * A device on an address {@link Bus}: the bus translates the guest's access into an offset from
 * the start of the device's range and calls one of these.
 *
 * <p>Unless {@link #ownLocking()} says otherwise, the bus calls a device with the machine's Big
 * Lock held, so the device needs no lock of its own.
 */
public interface BusDevice {
    /**
     * Reads {@code size} bytes (1, 2, 4 or 8) at {@code offset}.
     *
     * @param cpu the index of the vCPU that accessed the device
     * @return the value, zero-extended; only the low {@code size} bytes are used
     */
    long read(long offset, int size, int cpu);

    /** Writes the low {@code size} bytes of {@code value} at {@code offset}; see {@link #read}. */
    void write(long offset, int size, long value, int cpu);

    /**
     * True for a device that does its own locking (or needs none), which the vCPU thread may call
     * without the Big Lock. Such a device must never take the Big Lock itself.
     */
    default boolean ownLocking() {
        return false;
    }

    /** Returns the device to its power-on state (system_reset). Called with all vCPUs stopped. */
    default void reset() {
    }
}
