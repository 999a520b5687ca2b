package io.jvmm.monitor.service;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The one directory whose files REST clients may boot ({@code jvmm.image-dir}): a kernel or initrd
 * named in a request must resolve, after {@code ..} and every symbolic link, to a regular file
 * inside it. The check only looks the name up (the file system resolves it without opening it);
 * a name that fails it is refused with a 4xx saying why, and never opened. Unset, the service runs
 * bundled guests only.
 */
public final class ImageDirectory {
    private final Path root;

    private ImageDirectory(Path root) {
        this.root = root;
    }

    /** No directory: only bundled guests. */
    public static ImageDirectory none() {
        return new ImageDirectory(null);
    }

    /**
     * The directory {@code dir}, as its real path.
     *
     * @throws IllegalArgumentException if it is not an existing directory
     */
    public static ImageDirectory of(String dir) {
        try {
            Path real = Path.of(dir).toRealPath();
            if (!Files.isDirectory(real)) {
                throw new IllegalArgumentException("jvmm.image-dir=" + dir + " is not a directory");
            }
            return new ImageDirectory(real);
        } catch (IOException | InvalidPathException e) {
            throw new IllegalArgumentException("jvmm.image-dir=" + dir + " cannot be used: " + e.getMessage()
                    + "; point it at an existing directory of kernels and initrds");
        }
    }

    /** Whether a directory is configured. */
    public boolean configured() {
        return root != null;
    }

    /**
     * The real path of the file {@code name} (relative to the directory, or absolute) names, for the
     * request field {@code field}; null for null.
     *
     * @throws ServiceException 400 if no directory is configured or the name is not a usable file
     *     name, 403 if it leads outside the directory (through {@code ..}, an absolute path or a
     *     symbolic link), 404 if there is no such file
     */
    public String resolve(String field, String name) {
        if (name == null) {
            return null;
        }
        if (root == null) {
            throw new ServiceException(400, "GenericError", "\"" + field + "\" names a file, but this service has no "
                    + "image directory; start it with jvmm.image-dir set to the directory of kernels, or boot a "
                    + "bundled guest with \"guest\"");
        }
        Path lexical;
        try {
            lexical = root.resolve(name).normalize();
        } catch (InvalidPathException e) {
            throw new ServiceException(400, "GenericError", "\"" + field + "\": '" + name + "' is not a file name: "
                    + e.getReason());
        }
        if (name.isBlank() || !lexical.startsWith(root) || lexical.equals(root)) {
            throw new ServiceException(403, "GenericError", "\"" + field + "\": '" + name + "' is outside the image "
                    + "directory " + root + "; name a file inside it");
        }
        Path real;
        try {
            real = lexical.toRealPath();
        } catch (NoSuchFileException e) {
            throw new ServiceException(404, "GenericError", "\"" + field + "\": no file '" + name
                    + "' in the image directory " + root);
        } catch (IOException e) {
            throw new ServiceException(400, "GenericError", "\"" + field + "\": '" + name + "' cannot be looked up: "
                    + e.getMessage());
        }
        if (!real.startsWith(root)) {
            throw new ServiceException(403, "GenericError", "\"" + field + "\": '" + name + "' leads through a "
                    + "symbolic link to " + real + ", outside the image directory " + root + "; name a file inside it");
        }
        if (!Files.isRegularFile(real)) {
            throw new ServiceException(400, "GenericError", "\"" + field + "\": '" + name + "' is not a regular file");
        }
        return real.toString();
    }
}
