package io.jvmm.monitor.service;

import io.jvmm.core.boot.BootImageException;
import io.jvmm.core.boot.BootModule;
import io.jvmm.core.boot.KernelImages;
import io.jvmm.core.firmware.CpuModel;
import io.jvmm.core.machine.ConfigException;
import io.jvmm.core.machine.MachineConfig;
import io.jvmm.core.machine.MemorySize;
import io.jvmm.core.machine.SmpTopology;
import java.util.List;

/**
 * What a user asks to launch, as the command line and the REST API both take it, turned into a
 * validated {@link MachineConfig}. Every problem is found here, before a VM exists.
 *
 * @param guest       a bundled guest name or a path to a kernel (Multiboot ELF, PVH vmlinux, bzImage)
 * @param smp         QEMU -smp syntax, e.g. "8,sockets=2,cores=2,threads=2"
 * @param memory      QEMU -m syntax, e.g. "64M"
 * @param append      QEMU -append: a Linux kernel's command line, or a Multiboot one's after the image path; may be null
 * @param initrd      QEMU -initrd: a Linux kernel's initrd file, or Multiboot modules "file args,file2"; may be null
 * @param cpu         QEMU -cpu syntax, e.g. "host,-cx16"; null means "host"
 * @param poweredOff  whether CPUs other than the boot CPU start powered off
 * @param noReboot    whether a reset ends the run (QEMU's -no-reboot)
 * @param paused      whether the machine starts paused, every vCPU before its first instruction (QEMU's -S)
 * @param name        the VM's name (QEMU's -name), a DNS label unique in the service; may be null
 */
public record LaunchSpec(String guest, String smp, String memory, String append, String initrd, String cpu,
                         boolean poweredOff, boolean noReboot, boolean paused, String name) {
    /** What a name must look like: a DNS label (RFC 1123), lower case. */
    public static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");


    /** A bundled guest or image with the defaults for everything but the CPUs and memory. */
    public static LaunchSpec of(String guest, String smp, String memory) {
        return new LaunchSpec(guest, smp, memory, null, null, null, false, false, false, null);
    }

    /** This spec with {@code append} as the command line. */
    public LaunchSpec withAppend(String v) {
        return new LaunchSpec(guest, smp, memory, v, initrd, cpu, poweredOff, noReboot, paused, name);
    }

    /** This spec with CPUs other than the boot CPU powered off at start, or not. */
    public LaunchSpec withPoweredOff(boolean v) {
        return new LaunchSpec(guest, smp, memory, append, initrd, cpu, v, noReboot, paused, name);
    }

    /** The kernel, parsed. */
    public KernelImages.Kernel image() throws BootImageException {
        return GuestImages.resolve(guest);
    }

    /**
     * The kernel's command line: for a Multiboot image, as QEMU builds it, the image path then the
     * -append text; for Linux, the -append text alone.
     */
    public String commandLine(KernelImages.Kernel kernel) {
        String args = append == null ? "" : append.trim();
        if (!kernel.commandLineNamesImage()) {
            return args;
        }
        return args.isEmpty() ? guest : guest + " " + args;
    }

    /**
     * A builder with everything the spec determines, checked; the caller adds the id, the serial
     * sink and the meter registry.
     *
     * @throws ConfigException for an invalid -smp, -m, -cpu or name
     * @throws BootImageException for a kernel, initrd or module that cannot be loaded or does not fit
     */
    public MachineConfig.Builder toConfig() throws ConfigException, BootImageException {
        if (name != null && (!NAME.matcher(name).matches() || name.matches("vm-[0-9]+"))) {
            throw new ConfigException("Invalid name '" + name + "': a name is a DNS label (1-63 lower-case letters, "
                    + "digits and '-', not starting or ending with '-'), and not of the form vm-N, which ids take");
        }
        SmpTopology topology = SmpTopology.parse(smp == null ? "1" : smp);
        long bytes = MemorySize.parse(memory == null ? "64M" : memory);
        CpuModel model;
        try {
            model = CpuModel.parse(cpu == null ? "host" : cpu);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
        KernelImages.Kernel kernel = image();
        kernel.checkFits(bytes);
        List<BootModule> modules = kernel.commandLineNamesImage() ? GuestImages.modules(initrd)
                : GuestImages.initrd(initrd);
        return MachineConfig.builder(kernel).topology(topology).memorySize(bytes).commandLine(commandLine(kernel))
                .modules(modules).secondariesPoweredOff(poweredOff).cpuModel(model).noReboot(noReboot)
                .startPaused(paused);
    }
}
