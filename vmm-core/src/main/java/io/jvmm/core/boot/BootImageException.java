package io.jvmm.core.boot;

/**
 * A boot image or module that cannot be loaded: the message names the file and says what is
 * wrong and, where there is one, what to do ("hello.bin: not an ELF file (it starts with 4d 5a
 * 90 00); jvmm boots Multiboot ELF images").
 */
public final class BootImageException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final String problem;

    /** {@code source} (a path or a bundled guest's name) cannot be used because of {@code problem}. */
    public BootImageException(String source, String problem) {
        super(source + ": " + problem);
        this.source = source;
        this.problem = problem;
    }

    /** The file or guest name. */
    public String source() {
        return source;
    }

    /** What is wrong with it. */
    public String problem() {
        return problem;
    }
}
