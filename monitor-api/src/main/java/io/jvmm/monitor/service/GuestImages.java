package io.jvmm.monitor.service;

import io.jvmm.core.boot.BootImageException;
import io.jvmm.core.boot.BootModule;
import io.jvmm.core.boot.KernelImages;
import io.jvmm.core.boot.MultibootImage;
import io.jvmm.guests.BundledGuests;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns what a user names into a kernel: a bare name (no '/') is a bundled guest, anything else
 * is a path to a kernel file of a kind {@link KernelImages} tells apart by content (Multiboot
 * ELF, PVH vmlinux, bzImage). A bare name that no bundled guest has but a file in the working
 * directory does is that file. Every failure is a {@link BootImageException} naming the
 * file and the problem.
 */
public final class GuestImages {
    /** The largest file accepted as an image or module (guest RAM is at most 3 GiB anyway). */
    static final long MAX_FILE = 1L << 30;

    private GuestImages() {
    }

    /** Whether {@code spec} names a bundled guest rather than a file. */
    public static boolean isBundledName(String spec) {
        return !spec.contains("/");
    }

    /**
     * Resolves and parses {@code spec}.
     *
     * @throws BootImageException if the guest does not exist or is not a kernel jvmm boots
     */
    public static KernelImages.Kernel resolve(String spec) throws BootImageException {
        if (spec == null || spec.isBlank()) {
            throw new BootImageException("(none)", "no guest given; name a bundled guest ("
                    + String.join(", ", BundledGuests.names()) + ") or a path to a kernel");
        }
        if (isBundledName(spec)) {
            java.util.Optional<byte[]> bundled = BundledGuests.image(spec);
            if (bundled.isPresent()) {
                return new KernelImages.MultibootKernel(MultibootImage.parse(spec, bundled.get()));
            }
            if (!Files.isRegularFile(Path.of(spec))) {
                throw new BootImageException(spec, "no bundled guest and no file of that name (bundled: "
                        + String.join(", ", BundledGuests.names()) + ")");
            }
        }
        return KernelImages.detect(spec, readFile(spec));
    }

    /** Reads a file the user named, with one-line errors. */
    public static byte[] readFile(String spec) throws BootImageException {
        Path p = Path.of(spec);
        try {
            if (Files.isDirectory(p)) {
                throw new BootImageException(spec, "is a directory, not a file");
            }
            long size = Files.size(p);
            if (size > MAX_FILE) {
                throw new BootImageException(spec, "is " + (size >> 20) + " MiB; files over "
                        + (MAX_FILE >> 20) + " MiB are not loaded");
            }
            return Files.readAllBytes(p);
        } catch (NoSuchFileException e) {
            throw new BootImageException(spec, "no such file");
        } catch (AccessDeniedException e) {
            throw new BootImageException(spec, "permission denied");
        } catch (IOException e) {
            throw new BootImageException(spec, "cannot be read: " + e.getMessage());
        }
    }

    /** A Linux kernel's {@code -initrd}: one file, whose name may hold commas; none if null or blank. */
    public static List<BootModule> initrd(String initrd) throws BootImageException {
        if (initrd == null || initrd.isBlank()) {
            return List.of();
        }
        return List.of(new BootModule(initrd, readFile(initrd)));
    }

    /**
     * Parses QEMU's {@code -initrd} value for Multiboot images: a comma-separated list of
     * modules, each a path optionally followed by arguments ("mod.bin arg1 arg2"). The module
     * string the guest sees is the whole entry.
     */
    public static List<BootModule> modules(String initrd) throws BootImageException {
        List<BootModule> out = new ArrayList<>();
        if (initrd == null || initrd.isBlank()) {
            return out;
        }
        for (String entry : initrd.split(",")) {
            String trimmed = entry.trim();
            if (trimmed.isEmpty()) {
                throw new BootImageException(initrd, "-initrd has an empty module entry; separate modules with "
                        + "single commas");
            }
            String path = trimmed.split("\\s+", 2)[0];
            out.add(new BootModule(trimmed, readFile(path)));
        }
        return out;
    }
}
