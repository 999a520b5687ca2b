package io.jvmm.core.devices;

/** One interrupt line into the in-kernel PIC/IOAPIC (KVM_IRQ_LINE), as a device sees it. */
@FunctionalInterface
public interface IrqLine {
    /** A line connected to nothing. */
    IrqLine NONE = level -> { };

    /** Drives the line high ({@code true}) or low. */
    void set(boolean level);
}
