package io.jvmm.kvm;

/**
 * A failed KVM or libc call: which call, and the errno it left.
 *
 * <p>The message reads like {@code KVM_CREATE_VCPU failed: EEXIST (File exists)}; the errno is
 * kept both as a constant and as the raw number, so callers can branch on it.
 */
public class KvmException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String call;
    private final Errno errno;
    private final int errnoNumber;

    /** A call that failed with {@code errnoNumber}. */
    public KvmException(String call, int errnoNumber) {
        super(call + " failed: " + describe(errnoNumber));
        this.call = call;
        this.errno = Errno.of(errnoNumber);
        this.errnoNumber = errnoNumber;
    }

    /** A call whose result was wrong in a way errno does not describe. */
    public KvmException(String call, String problem) {
        super(call + " failed: " + problem);
        this.call = call;
        this.errno = Errno.UNKNOWN;
        this.errnoNumber = 0;
    }

    private static String describe(int number) {
        Errno e = Errno.of(number);
        return e == Errno.UNKNOWN
                ? "errno " + number + " (Unknown error)"
                : e.name() + " (" + e.message() + ")";
    }

    /** The ioctl or libc function, as named in the kernel's api.rst or the man pages. */
    public String call() {
        return call;
    }

    /** The errno as a constant; {@link Errno#UNKNOWN} when there was none or it is not in the table. */
    public Errno errno() {
        return errno;
    }

    /** The raw errno number, 0 when the failure did not come with one. */
    public int errnoNumber() {
        return errnoNumber;
    }
}
