package io.jvmm.core.devices;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * QEMU's fw_cfg, legacy I/O interface only: write a 16-bit key to the selector port 0x510, then
 * read the item's bytes one at a time from the data port 0x511. Reading past an item's end, or a
 * key that does not exist, gives zeros (as QEMU does). Guarded by the Big Lock.
 *
 * <p>Items: signature "QEMU" (0x0000), ID (0x0001: traditional interface, no DMA), RAM size
 * (0x0003, u64 LE), CPU count (0x0005, u16 LE), max CPUs (0x000f, u16 LE), and an empty file
 * directory (0x0019, big-endian count 0).
 */
public final class FwCfg implements BusDevice {
    /** Selector port. */
    public static final int SELECTOR_PORT = 0x510;
    /** Data port. */
    public static final int DATA_PORT = 0x511;
    /** The two ports. */
    public static final int SIZE = 2;

    public static final int KEY_SIGNATURE = 0x0000;
    public static final int KEY_ID = 0x0001;
    public static final int KEY_RAM_SIZE = 0x0003;
    public static final int KEY_NB_CPUS = 0x0005;
    public static final int KEY_MAX_CPUS = 0x000f;
    public static final int KEY_FILE_DIR = 0x0019;

    private final Map<Integer, byte[]> items = new HashMap<>();
    private int selector;
    private int offset;

    /** An fw_cfg device describing a machine with {@code ramSize} bytes and {@code cpus} of {@code maxCpus} CPUs. */
    public FwCfg(long ramSize, int cpus, int maxCpus) {
        items.put(KEY_SIGNATURE, "QEMU".getBytes(StandardCharsets.US_ASCII));
        items.put(KEY_ID, le(1, 4));
        items.put(KEY_RAM_SIZE, le(ramSize, 8));
        items.put(KEY_NB_CPUS, le(cpus, 2));
        items.put(KEY_MAX_CPUS, le(maxCpus, 2));
        items.put(KEY_FILE_DIR, ByteBuffer.allocate(4).order(ByteOrder.BIG_ENDIAN).putInt(0).array());
    }

    private static byte[] le(long v, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (v >>> (8 * i));
        }
        return b;
    }

    @Override
    public long read(long off, int size, int cpu) {
        if (off != 1) {
            return 0;
        }
        long v = 0;
        for (int i = 0; i < size; i++) {
            v |= (long) nextByte() << (8 * i);
        }
        return v;
    }

    private int nextByte() {
        byte[] item = items.get(selector);
        if (item == null || offset >= item.length) {
            return 0;
        }
        return item[offset++] & 0xff;
    }

    @Override
    public void write(long off, int size, long value, int cpu) {
        if (off == 0) {
            selector = (int) value & 0xffff;
            offset = 0;
        }
    }

    @Override
    public void reset() {
        selector = 0;
        offset = 0;
    }
}
