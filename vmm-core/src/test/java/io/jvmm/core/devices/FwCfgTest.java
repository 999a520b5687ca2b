package io.jvmm.core.devices;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** FwCfg through its two ports as SeaBIOS and Linux's qemu_fw_cfg use them (QEMU docs/specs/fw_cfg.rst). */
class FwCfgTest {
    private static final int SELECTOR = 0;
    private static final int DATA = 1;

    private final FwCfg fw = new FwCfg(0x1_2345_6000L, 3, 258);

    private void select(int key) {
        fw.write(SELECTOR, 2, key, 0);
    }

    private byte[] readBytes(int n) {
        byte[] out = new byte[n];
        for (int i = 0; i < n; i++) {
            out[i] = (byte) fw.read(DATA, 1, 0);
        }
        return out;
    }

    private byte[] item(int key, int n) {
        select(key);
        return readBytes(n);
    }

    @Test
    void portsAreTheQemuOnes() {
        assertEquals(0x510, FwCfg.SELECTOR_PORT);
        assertEquals(0x511, FwCfg.DATA_PORT);
        assertEquals(2, FwCfg.SIZE);
    }

    @Test
    void signatureIsQemuByteByByte() {
        select(FwCfg.KEY_SIGNATURE);
        assertEquals('Q', fw.read(DATA, 1, 0));
        assertEquals('E', fw.read(DATA, 1, 0));
        assertEquals('M', fw.read(DATA, 1, 0));
        assertEquals('U', fw.read(DATA, 1, 0));
        assertEquals(0, fw.read(DATA, 1, 0), "past the end reads zero");
        assertEquals(0, fw.read(DATA, 1, 0));
    }

    @Test
    void idSaysTraditionalInterfaceWithoutDma() {
        assertArrayEquals(new byte[] {1, 0, 0, 0, 0}, item(FwCfg.KEY_ID, 5));
    }

    @Test
    void ramSizeIsLittleEndian64Bit() {
        assertArrayEquals(new byte[] {0x00, 0x60, 0x45, 0x23, 0x01, 0, 0, 0, 0}, item(FwCfg.KEY_RAM_SIZE, 9));
    }

    @Test
    void cpuCountsAreLittleEndian16Bit() {
        assertArrayEquals(new byte[] {3, 0, 0}, item(FwCfg.KEY_NB_CPUS, 3));
        assertArrayEquals(new byte[] {2, 1, 0}, item(FwCfg.KEY_MAX_CPUS, 3), "258 = 0x0102");
    }

    @Test
    void fileDirectoryIsEmpty() {
        assertArrayEquals(new byte[4], item(FwCfg.KEY_FILE_DIR, 4), "big-endian count 0");
    }

    @Test
    void unknownKeyReadsZero() {
        assertArrayEquals(new byte[8], item(0x4000, 8));
        assertArrayEquals(new byte[8], item(0x0002, 8));
    }

    @Test
    void reselectingRestartsAtOffsetZero() {
        select(FwCfg.KEY_SIGNATURE);
        readBytes(3);
        select(FwCfg.KEY_SIGNATURE);
        assertEquals('Q', fw.read(DATA, 1, 0));
        select(FwCfg.KEY_NB_CPUS);
        select(FwCfg.KEY_SIGNATURE);
        assertEquals('Q', fw.read(DATA, 1, 0));
    }

    @Test
    void selectorIsSixteenBits() {
        select(0x10000 | FwCfg.KEY_NB_CPUS);
        assertEquals(3, fw.read(DATA, 1, 0));
    }

    @Test
    void wideDataReadsReturnTheNextBytesInOrder() {
        select(FwCfg.KEY_SIGNATURE);
        assertEquals(0x554d4551L, fw.read(DATA, 4, 0), "'Q','E','M','U' little-endian");
        select(FwCfg.KEY_SIGNATURE);
        assertEquals(0x4551L, fw.read(DATA, 2, 0));
        assertEquals(0x554dL, fw.read(DATA, 2, 0));
        assertEquals(0, fw.read(DATA, 2, 0));
        select(FwCfg.KEY_RAM_SIZE);
        assertEquals(0x1_2345_6000L, fw.read(DATA, 8, 0));
        select(FwCfg.KEY_NB_CPUS);
        assertEquals(3, fw.read(DATA, 4, 0), "the item's 2 bytes, then zeros");
    }

    @Test
    void readingTheSelectorPortReturnsZeroAndDoesNotAdvance() {
        select(FwCfg.KEY_SIGNATURE);
        assertEquals(0, fw.read(SELECTOR, 2, 0));
        assertEquals('Q', fw.read(DATA, 1, 0));
    }

    @Test
    void writingTheDataPortChangesNothing() {
        select(FwCfg.KEY_SIGNATURE);
        fw.write(DATA, 1, 0x42, 0);
        assertEquals('Q', fw.read(DATA, 1, 0));
    }

    @Test
    void eachMachineDescribesItself() {
        FwCfg small = new FwCfg(64L << 20, 1, 1);
        small.write(SELECTOR, 2, FwCfg.KEY_RAM_SIZE, 0);
        assertEquals(64L << 20, small.read(DATA, 8, 0));
        small.write(SELECTOR, 2, FwCfg.KEY_MAX_CPUS, 0);
        assertEquals(1, small.read(DATA, 2, 0));
    }

    @Test
    void resetSelectsTheSignatureAgain() {
        select(FwCfg.KEY_NB_CPUS);
        readBytes(1);
        fw.reset();
        assertEquals('Q', fw.read(DATA, 1, 0));
    }
}
