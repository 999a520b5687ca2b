package io.jvmm.core.devices;

/** Where a UART's transmitted bytes go: stdout, a console buffer, a test's capture. */
@FunctionalInterface
public interface SerialSink {
    /** Receives one transmitted byte (0-255). Called with the Big Lock held: must not block for long. */
    void write(int b);
}
