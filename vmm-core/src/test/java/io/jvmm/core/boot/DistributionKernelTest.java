package io.jvmm.core.boot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.core.memory.GuestMemory;
import io.jvmm.core.testing.DistributionKernel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The loaders on a real distribution kernel ({@link DistributionKernel}). Skipped, with the
 * reason, when there is none. Checked: detection, the zero page a load leaves,
 * and the vmlinux extracted from it booting through its PVH note.
 */
class DistributionKernelTest {
    private static final long RAM = 256L << 20;

    @Test
    void bzImageAndItsVmlinuxLoad() throws Exception {
        Optional<Path> path = DistributionKernel.bzImage();
        Assumptions.assumeTrue(path.isPresent(), DistributionKernel.MISSING);
        byte[] bytes = Files.readAllBytes(path.get());
        BzImage bz = assertInstanceOf(KernelImages.BzImageKernel.class,
                KernelImages.detect(path.get().toString(), bytes)).image();
        assertTrue(bz.kernel64(), "an x86_64 distribution kernel has XLF_KERNEL_64");
        try (GuestMemory memory = GuestMemory.allocate(RAM)) {
            byte[] initrd = ElfBuilder.pattern(1 << 20, 5);
            BzImage.Loaded loaded = bz.load(memory, "console=ttyS0", initrd, 0xe0000);
            long zp = loaded.bootParamsAddress();
            assertEquals(BootParams.HEADER_MAGIC, (int) memory.readU32(zp + BootParams.HEADER));
            assertEquals(bz.protocol(), BootTesting.u16(memory, zp + BootParams.VERSION));
            assertEquals("console=ttyS0", BootTesting.cString(memory, memory.readU32(zp + BootParams.CMD_LINE_PTR)));
            long rd = memory.readU32(zp + BootParams.RAMDISK_IMAGE);
            assertTrue(rd >= bz.end() && rd + initrd.length <= RAM);
            assertArrayEquals(initrd, memory.read(rd, initrd.length));
            assertArrayEquals(bz.protectedModeKernel(), memory.read(0x100000, bz.kernelLength()));
        }
        byte[] vmlinux = VmlinuxExtractor.extract(path.get().toString(), bytes);
        PvhImage pvh = assertInstanceOf(KernelImages.PvhKernel.class, KernelImages.detect("vmlinux", vmlinux))
                .image();
        try (GuestMemory memory = GuestMemory.allocate(RAM)) {
            PvhImage.Loaded loaded = pvh.load(memory, "console=ttyS0", null, 0xe0000);
            assertEquals(HvmStartInfo.MAGIC_VALUE, memory.readU32(loaded.startInfoAddress()));
            ElfFile.Segment first = pvh.elf().segments().get(0);
            assertArrayEquals(java.util.Arrays.copyOfRange(vmlinux, (int) first.fileOffset(),
                    (int) (first.fileOffset() + 4096)), memory.read(first.physicalAddress(), 4096));
            assertTrue(loaded.entry() >= first.physicalAddress() && loaded.entry() < pvh.end());
        }
    }
}
