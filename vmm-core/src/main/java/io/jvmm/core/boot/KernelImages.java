package io.jvmm.core.boot;

import io.jvmm.core.memory.GuestMemory;
import io.jvmm.core.vcpu.CpuImage;
import io.jvmm.kvm.Sregs;
import java.util.HexFormat;
import java.util.List;

/**
 * Tells the kernel image kinds jvmm boots apart by their contents: a Multiboot ELF
 * ({@link MultibootImage}), an ELF with a PVH entry note such as a Linux vmlinux
 * ({@link PvhImage}), and a Linux bzImage ({@link BzImage}).
 */
public final class KernelImages {
    private static final String ACCEPTED = "jvmm boots Multiboot ELF images, ELF vmlinux files with a PVH entry "
            + "note (CONFIG_PVH=y) and bzImages (boot protocol 2.06+)";

    private KernelImages() {
    }

    /**
     * A parsed kernel image of one of the kinds jvmm boots: parsed once, checked against a RAM
     * size before any VM exists, and loaded at creation and again at every reset.
     */
    public sealed interface Kernel permits MultibootKernel, LinuxKernel {
        /** The file name or guest name it came from. */
        String source();

        /** What kind of image it is, as a user would name it: "Multiboot ELF", "PVH vmlinux", "bzImage". */
        String kind();

        /** Whether its command line starts with the image's name, as Multiboot loaders pass it. */
        boolean commandLineNamesImage();

        /** Checks that it fits in {@code ramSize} bytes of RAM, without touching memory. */
        void checkFits(long ramSize) throws BootImageException;

        /**
         * Copies it and its boot information into {@code memory}. All vCPUs must be stopped.
         *
         * @param commandLine the command line the kernel gets
         * @param modules Multiboot modules; a Linux kernel takes at most one, its initrd
         * @param rsdp the ACPI RSDP's physical address
         * @throws BootImageException if something does not fit
         */
        Booted load(GuestMemory memory, String commandLine, List<BootModule> modules, long rsdp)
                throws BootImageException;
    }

    /** What loading a kernel left in RAM: where it starts, and the boot CPU's state there. */
    public interface Booted {
        /** The physical entry point. */
        long entry();

        /** The boot CPU's registers and segments, on a CPU whose KVM-created state is {@code resetState}. */
        CpuImage bootCpu(Sregs resetState);
    }

    /** A Multiboot (version 1) ELF image. */
    public record MultibootKernel(MultibootImage image) implements Kernel {
        @Override
        public String source() {
            return image.source();
        }

        @Override
        public String kind() {
            return "Multiboot ELF";
        }

        @Override
        public boolean commandLineNamesImage() {
            return true;
        }

        @Override
        public void checkFits(long ramSize) throws BootImageException {
            image.checkFits(ramSize);
        }

        @Override
        public Booted load(GuestMemory memory, String commandLine, List<BootModule> modules, long rsdp)
                throws BootImageException {
            return image.load(memory, commandLine, modules);
        }
    }

    /** What both Linux loaders offer: a source, a fit check, and a load with one initrd. */
    public interface LinuxImage {
        String source();

        void checkFits(long ramSize) throws BootImageException;

        Booted load(GuestMemory memory, String commandLine, byte[] initrd, long rsdpAddress) throws BootImageException;
    }

    /** A Linux kernel: its command line is the kernel's alone, and it takes at most one module, its initrd. */
    public sealed interface LinuxKernel extends Kernel permits PvhKernel, BzImageKernel {
        /** The loader. */
        LinuxImage linux();

        @Override
        default String source() {
            return linux().source();
        }

        @Override
        default boolean commandLineNamesImage() {
            return false;
        }

        @Override
        default void checkFits(long ramSize) throws BootImageException {
            linux().checkFits(ramSize);
        }

        @Override
        default Booted load(GuestMemory memory, String commandLine, List<BootModule> modules, long rsdp)
                throws BootImageException {
            if (modules.size() > 1) {
                throw new BootImageException(source(), "a Linux kernel takes one initrd, not " + modules.size()
                        + "; concatenate the cpio archives into one file");
            }
            return linux().load(memory, commandLine, modules.isEmpty() ? null : modules.get(0).data(), rsdp);
        }
    }

    /** An ELF kernel entered through its PVH note. */
    public record PvhKernel(PvhImage image) implements LinuxKernel {
        @Override
        public LinuxImage linux() {
            return image;
        }

        @Override
        public String kind() {
            return "PVH vmlinux";
        }
    }

    /** A Linux bzImage. */
    public record BzImageKernel(BzImage image) implements LinuxKernel {
        @Override
        public LinuxImage linux() {
            return image;
        }

        @Override
        public String kind() {
            return "bzImage";
        }
    }

    /**
     * Parses {@code bytes} as whichever kind it is. An ELF file with both a valid Multiboot
     * header and a PVH note is taken as Multiboot.
     *
     * @throws BootImageException naming {@code source}, saying what the bytes are not and what
     *     jvmm accepts, or what is wrong with the kind they are
     */
    public static Kernel detect(String source, byte[] bytes) throws BootImageException {
        if (bytes.length >= 4 && bytes[0] == 0x7f && bytes[1] == 'E' && bytes[2] == 'L' && bytes[3] == 'F') {
            ElfFile elf = ElfFile.parse(source, bytes);
            boolean pvh = PvhImage.hasEntryNote(elf);
            if (MultibootImage.hasHeaderMagic(bytes)) {
                try {
                    return new MultibootKernel(MultibootImage.parse(source, bytes));
                } catch (BootImageException e) {
                    if (!pvh) {
                        throw e;
                    }
                }
            }
            if (pvh) {
                return new PvhKernel(PvhImage.parse(source, bytes));
            }
            throw new BootImageException(source, "ELF file without a Multiboot header (magic 0x1BADB002 in the "
                    + "first 8192 bytes) nor a PVH entry note (\"Xen\", type 18); " + ACCEPTED);
        }
        if (BzImage.hasHeaderMagic(bytes)) {
            return new BzImageKernel(BzImage.parse(source, bytes));
        }
        int n = Math.min(4, bytes.length);
        String start = n == 0 ? "it is empty" : "it starts with " + HexFormat.ofDelimiter(" ").formatHex(bytes, 0, n);
        throw new BootImageException(source, "neither a Multiboot ELF, an ELF vmlinux with a PVH entry note, nor a "
                + "bzImage (boot protocol 2.06+): " + start + "; pass a kernel in one of these forms (a "
                + "distribution's /boot/vmlinuz is a bzImage)");
    }
}
