package io.jvmm.monitor.cli;

import io.jvmm.core.devices.SerialSink;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/** COM1 to the process's standard output, byte for byte, flushed at each newline and at close. */
final class StdoutSerial implements SerialSink, AutoCloseable {
    private final OutputStream out = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 8192);

    @Override
    public synchronized void write(int b) {
        try {
            out.write(b);
            if (b == '\n') {
                out.flush();
            }
        } catch (IOException e) {
            // stdout closed (a pipe whose reader went away): the guest keeps running, its output is dropped
        }
    }

    @Override
    public synchronized void close() {
        try {
            out.flush();
        } catch (IOException e) {
            // nothing left to do
        }
    }
}
