package io.jvmm.core.testing;

import io.jvmm.core.boot.BootImageException;
import io.jvmm.core.boot.VmlinuxExtractor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A distribution's kernel for the tests that boot or load one: the bzImage named by
 * {@code -Djvmm.test.bzimage=PATH}, else the one {@code scripts/fetch-kernel} unpacked under the
 * repository's target/kernel ({@code .ci/run} runs it first), else the first readable
 * /boot/vmlinuz-*. Its PVH {@code vmlinux} is decompressed from the bzImage's payload once and kept
 * next to it in target/kernel.
 */
public final class DistributionKernel {
    /** Why a test that needs a kernel is skipped. */
    public static final String MISSING = "no kernel: run scripts/fetch-kernel, or set -Djvmm.test.bzimage=PATH";

    private DistributionKernel() {
    }

    /** The bzImage, if there is one. */
    public static Optional<Path> bzImage() throws IOException {
        String given = System.getProperty("jvmm.test.bzimage");
        if (given != null && !given.isEmpty()) {
            return Optional.of(Path.of(given));
        }
        for (Path boot : new Path[] {Path.of("..", "target", "kernel", "boot"), Path.of("/boot")}) {
            if (Files.isDirectory(boot)) {
                try (Stream<Path> s = Files.list(boot)) {
                    Optional<Path> k = s.filter(p -> p.getFileName().toString().startsWith("vmlinuz-"))
                            .filter(Files::isReadable).sorted().findFirst();
                    if (k.isPresent()) {
                        return k;
                    }
                }
            }
        }
        return Optional.empty();
    }

    /**
     * The PVH vmlinux of {@code bzImage}, decompressed on first use into target/kernel (once, also
     * when tests that run at the same time ask for it together).
     */
    public static synchronized Path vmlinux(Path bzImage) throws IOException, BootImageException {
        Path dir = Path.of("..", "target", "kernel");
        Files.createDirectories(dir);
        Path out = dir.resolve("vmlinux-" + bzImage.getFileName().toString().replaceFirst("^vmlinuz-", ""));
        if (!Files.isRegularFile(out) || Files.getLastModifiedTime(out).compareTo(Files.getLastModifiedTime(bzImage)) < 0) {
            byte[] vmlinux = VmlinuxExtractor.extract(bzImage.toString(), Files.readAllBytes(bzImage));
            Path tmp = Files.createTempFile(dir, "vmlinux", ".tmp");
            Files.write(tmp, vmlinux);
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        return out;
    }
}
