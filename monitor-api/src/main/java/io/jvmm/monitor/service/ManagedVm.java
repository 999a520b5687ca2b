package io.jvmm.monitor.service;

import io.jvmm.core.machine.Machine;
import java.time.Instant;

/** A VM the service owns: the machine, what it was created from, its console and its monitor's current CPU. */
public final class ManagedVm {
    private final String id;
    private final LaunchSpec spec;
    private final Machine machine;
    private final ConsoleBuffer console;
    private final Instant created = Instant.now();
    private volatile int currentCpu;
    private volatile io.jvmm.monitor.qmp.QmpServer qmp;

    ManagedVm(String id, LaunchSpec spec, Machine machine, ConsoleBuffer console) {
        this.id = id;
        this.spec = spec;
        this.machine = machine;
        this.console = console;
    }

    public String id() {
        return id;
    }

    /** The name the VM was created with, or null. */
    public String name() {
        return spec.name();
    }

    /** What labels the VM's metrics: its name, or its id if it has none. */
    public String label() {
        return machine.id();
    }

    public LaunchSpec spec() {
        return spec;
    }

    public Machine machine() {
        return machine;
    }

    public ConsoleBuffer console() {
        return console;
    }

    public Instant created() {
        return created;
    }

    /** The VM's QMP socket, or null. */
    public java.nio.file.Path qmpPath() {
        io.jvmm.monitor.qmp.QmpServer q = qmp;
        return q == null ? null : q.path();
    }

    void qmp(io.jvmm.monitor.qmp.QmpServer server) {
        this.qmp = server;
    }

    /** Lets QMP clients get their answers (to the quit that ended the VM, say) before the process ends. */
    public void awaitQmpAnswers(long timeoutMs) {
        io.jvmm.monitor.qmp.QmpServer q = qmp;
        if (q != null) {
            q.awaitAnswered(timeoutMs);
        }
    }

    void closeQmp() {
        io.jvmm.monitor.qmp.QmpServer q = qmp;
        if (q != null) {
            q.close();
        }
    }

    /** The CPU that {@code info registers} without arguments shows (set with {@code cpu N}). */
    public int currentCpu() {
        return currentCpu;
    }

    void currentCpu(int cpu) {
        this.currentCpu = cpu;
    }
}
