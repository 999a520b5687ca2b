package io.jvmm.core.vcpu;

/**
 * A write of vCPU state asked for at a level too low for one of the fields it would carry: a
 * defect in the VMM, caught before anything reached the kernel.
 */
public final class WritebackException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    private final StateField field;
    private final WritebackLevel level;

    WritebackException(String vcpu, StateField field, WritebackLevel level) {
        super(vcpu + ": " + field + " (" + field.ioctl() + ") needs a " + field.minimumLevel()
                + "-level write, but a " + level + "-level write was asked for; writing it now could overwrite"
                + " an INIT, SIPI or NMI another vCPU sent after it was read");
        this.field = field;
        this.level = level;
    }

    WritebackException(String vcpu, WriteGrant grant) {
        super(vcpu + ": the grant for this " + grant.level() + "-level write (" + grant + ") no longer holds; "
                + "nothing was written: other vCPUs may have run since it was given, and writing now could "
                + "overwrite an INIT, SIPI or NMI they sent");
        this.field = null;
        this.level = grant.level();
    }

    /** The field that may not be written at this level; null when the write's grant had lapsed. */
    public StateField field() {
        return field;
    }

    /** The level that was asked for. */
    public WritebackLevel level() {
        return level;
    }
}
