package io.jvmm.core.boot;

import java.util.HexFormat;

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

    /** A parsed kernel image of one of the kinds jvmm boots. */
    public sealed interface Kernel permits MultibootKernel, PvhKernel, BzImageKernel {
        /** The file name or guest name it came from. */
        String source();
    }

    /** A Multiboot (version 1) ELF image. */
    public record MultibootKernel(MultibootImage image) implements Kernel {
        @Override
        public String source() {
            return image.source();
        }
    }

    /** An ELF kernel entered through its PVH note. */
    public record PvhKernel(PvhImage image) implements Kernel {
        @Override
        public String source() {
            return image.source();
        }
    }

    /** A Linux bzImage. */
    public record BzImageKernel(BzImage image) implements Kernel {
        @Override
        public String source() {
            return image.source();
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
