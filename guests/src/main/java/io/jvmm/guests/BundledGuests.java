package io.jvmm.guests;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The guest programs this module assembles from {@code src/main/asm}, packaged as
 * {@code io/jvmm/guests/<name>.elf} resources and listed in {@code io/jvmm/guests/index.txt}
 * by {@code build-guests.sh}.
 */
public final class BundledGuests {
    private static final String DIR = "/io/jvmm/guests/";

    private BundledGuests() {
    }

    /** Names of every bundled guest, in the order the build listed them. */
    public static List<String> names() {
        try (InputStream in = BundledGuests.class.getResourceAsStream(DIR + "index.txt")) {
            if (in == null) {
                return List.of();
            }
            List<String> out = new ArrayList<>();
            for (String line : new String(in.readAllBytes()).split("\n")) {
                if (!line.isBlank()) {
                    out.add(line.trim());
                }
            }
            return List.copyOf(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The ELF image of the guest called {@code name}, if there is one. */
    public static Optional<byte[]> image(String name) {
        if (!name.matches("[a-z0-9-]+")) {
            return Optional.empty();
        }
        try (InputStream in = BundledGuests.class.getResourceAsStream(DIR + name + ".elf")) {
            return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Copies the guest to {@code dir}/{@code name}.elf (for tools that want a file, such as
     * {@code qemu-system-x86_64 -kernel}) and returns the path.
     *
     * @throws IllegalArgumentException if there is no such guest
     */
    public static Path extract(String name, Path dir) throws IOException {
        byte[] image = image(name).orElseThrow(() -> new IllegalArgumentException("No bundled guest '" + name
                + "'; bundled guests: " + String.join(", ", names())));
        Path out = dir.resolve(name + ".elf");
        Path tmp = Files.createTempFile(dir, name, ".tmp");
        Files.write(tmp, image);
        Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return out;
    }
}
