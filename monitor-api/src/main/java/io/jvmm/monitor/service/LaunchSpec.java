package io.jvmm.monitor.service;

import io.jvmm.core.boot.BootImageException;
import io.jvmm.core.boot.MultibootImage;
import io.jvmm.core.machine.ConfigException;
import io.jvmm.core.machine.MachineConfig;
import io.jvmm.core.machine.MemorySize;
import io.jvmm.core.machine.SmpTopology;

/**
 * What a user asks to launch, as the command line and the REST API both take it, turned into a
 * validated {@link MachineConfig}. Every problem is found here, before a VM exists.
 *
 * @param guest       a bundled guest name or a path
 * @param smp         QEMU -smp syntax, e.g. "8,sockets=2,cores=2,threads=2"
 * @param memory      QEMU -m syntax, e.g. "64M"
 * @param append      the Multiboot command line after the image path (QEMU -append), may be null
 * @param initrd      QEMU -initrd for Multiboot: "file args,file2", may be null
 * @param poweredOff  whether CPUs other than the boot CPU start powered off
 */
public record LaunchSpec(String guest, String smp, String memory, String append, String initrd, boolean poweredOff) {

    /** The image, parsed. */
    public MultibootImage image() throws BootImageException {
        return GuestImages.resolve(guest);
    }

    /** The Multiboot command line: as QEMU builds it, the image path, then the -append text. */
    public String commandLine() {
        return append == null || append.isBlank() ? guest : guest + " " + append.trim();
    }

    /**
     * A builder with everything the spec determines, checked; the caller adds the id, the serial
     * sink and the meter registry.
     *
     * @throws ConfigException for an invalid -smp or -m
     * @throws BootImageException for a guest or module that cannot be loaded or does not fit
     */
    public MachineConfig.Builder toConfig() throws ConfigException, BootImageException {
        SmpTopology topology = SmpTopology.parse(smp == null ? "1" : smp);
        long bytes = MemorySize.parse(memory == null ? "64M" : memory);
        MultibootImage image = image();
        image.checkFits(bytes);
        return MachineConfig.builder(image).topology(topology).memorySize(bytes).commandLine(commandLine())
                .modules(GuestImages.modules(initrd)).secondariesPoweredOff(poweredOff);
    }
}
