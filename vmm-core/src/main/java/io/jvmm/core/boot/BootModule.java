package io.jvmm.core.boot;

/**
 * A Multiboot module (QEMU's {@code -initrd "file args,file2"}): its contents and the string the
 * guest sees for it, which is the path followed by any arguments.
 */
public record BootModule(String string, byte[] data) {
    public BootModule {
        data = data.clone();
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    /** Length of the contents in bytes. */
    public int length() {
        return data.length;
    }
}
