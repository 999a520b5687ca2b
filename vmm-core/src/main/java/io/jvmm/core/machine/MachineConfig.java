package io.jvmm.core.machine;

import io.jvmm.core.boot.BootModule;
import io.jvmm.core.boot.KernelImages;
import io.jvmm.core.boot.MultibootImage;
import io.jvmm.core.devices.SerialSink;
import io.jvmm.core.firmware.CpuModel;
import io.jvmm.core.lock.BigLock;
import io.jvmm.core.vcpu.VcpuLoopPolicy;
import io.jvmm.core.vcpu.WritebackPolicy;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Objects;

/**
 * Everything needed to build a {@link Machine}. Built with {@link #builder(KernelImages.Kernel)};
 * validated when the machine is created, before any KVM object exists.
 */
public final class MachineConfig {
    /** Default memory: 64 MiB. */
    public static final long DEFAULT_MEMORY = 64L << 20;
    /** Default bound on every wait for vCPU threads. */
    public static final long DEFAULT_VCPU_TIMEOUT_MS = 10_000;

    private final String id;
    private final KernelImages.Kernel image;
    private final String commandLine;
    private final List<BootModule> modules;
    private final long memorySize;
    private final SmpTopology topology;
    private final boolean secondariesPoweredOff;
    private final SerialSink serial;
    private final MeterRegistry meterRegistry;
    private final boolean lockChecks;
    private final WritebackPolicy writebackPolicy;
    private final VcpuLoopPolicy loopPolicy;
    private final long vcpuTimeoutMs;
    private final CpuModel cpuModel;
    private final boolean noReboot;
    private final boolean startPaused;
    private final MachineListener listener;

    private MachineConfig(Builder b) {
        this.id = b.id;
        this.image = b.image;
        this.commandLine = b.commandLine != null ? b.commandLine
                : b.image.commandLineNamesImage() ? b.image.source() : "";
        this.modules = List.copyOf(b.modules);
        this.memorySize = b.memorySize;
        this.topology = b.topology;
        this.secondariesPoweredOff = b.secondariesPoweredOff;
        this.serial = b.serial;
        this.meterRegistry = b.meterRegistry != null ? b.meterRegistry : new SimpleMeterRegistry();
        this.lockChecks = b.lockChecks;
        this.writebackPolicy = b.writebackPolicy;
        this.loopPolicy = b.loopPolicy;
        this.vcpuTimeoutMs = b.vcpuTimeoutMs;
        this.cpuModel = b.cpuModel;
        this.noReboot = b.noReboot;
        this.startPaused = b.startPaused;
        this.listener = b.listener;
    }

    /** A builder for a machine booting {@code kernel}. */
    public static Builder builder(KernelImages.Kernel kernel) {
        return new Builder(kernel);
    }

    /** A builder for a machine booting the Multiboot {@code image}. */
    public static Builder builder(MultibootImage image) {
        return new Builder(new KernelImages.MultibootKernel(image));
    }

    public String id() {
        return id;
    }

    /** The kernel the machine boots, and boots again at each reset. */
    public KernelImages.Kernel image() {
        return image;
    }

    /** The kernel's command line; a Multiboot image's starts with the image path, as QEMU passes it. */
    public String commandLine() {
        return commandLine;
    }

    /** Multiboot modules, or a Linux kernel's initrd (one module). */
    public List<BootModule> modules() {
        return modules;
    }

    public long memorySize() {
        return memorySize;
    }

    public SmpTopology topology() {
        return topology;
    }

    /** Whether CPUs other than the boot CPU start powered off, waiting for a start-CPU request. */
    public boolean secondariesPoweredOff() {
        return secondariesPoweredOff;
    }

    public SerialSink serial() {
        return serial;
    }

    public MeterRegistry meterRegistry() {
        return meterRegistry;
    }

    /** Whether the Big Lock's transition-point checks are on. */
    public boolean lockChecks() {
        return lockChecks;
    }

    public WritebackPolicy writebackPolicy() {
        return writebackPolicy;
    }

    public VcpuLoopPolicy loopPolicy() {
        return loopPolicy;
    }

    /** Bound on every wait for vCPU threads (park, work items, stop). */
    public long vcpuTimeoutMs() {
        return vcpuTimeoutMs;
    }

    /** The CPU model ({@code -cpu}): KVM's features, with the changes asked for. */
    public CpuModel cpuModel() {
        return cpuModel;
    }

    /**
     * Whether a reset the guest asks for (or {@code system_reset}) ends the run instead, as QEMU's
     * {@code -no-reboot}.
     */
    public boolean noReboot() {
        return noReboot;
    }

    /** Whether the machine starts paused, every vCPU parked before its first instruction (QEMU's {@code -S}). */
    public boolean startPaused() {
        return startPaused;
    }

    /** Who hears of the changes the guest makes. */
    public MachineListener listener() {
        return listener;
    }

    /** Builder; every setter returns the builder. */
    public static final class Builder {
        private final KernelImages.Kernel image;
        private String id = "vm-0";
        private String commandLine;
        private List<BootModule> modules = List.of();
        private long memorySize = DEFAULT_MEMORY;
        private SmpTopology topology = SmpTopology.SINGLE;
        private boolean secondariesPoweredOff;
        private SerialSink serial = b -> { };
        private MeterRegistry meterRegistry;
        private boolean lockChecks = BigLock.checksEnabledByDefault();
        private WritebackPolicy writebackPolicy = WritebackPolicy.GATED_BY_LEVEL;
        private VcpuLoopPolicy loopPolicy = VcpuLoopPolicy.STANDARD;
        private long vcpuTimeoutMs = DEFAULT_VCPU_TIMEOUT_MS;
        private CpuModel cpuModel = CpuModel.HOST;
        private boolean noReboot;
        private boolean startPaused;
        private MachineListener listener = MachineListener.NONE;

        private Builder(KernelImages.Kernel image) {
            this.image = Objects.requireNonNull(image);
        }

        public Builder id(String v) {
            this.id = Objects.requireNonNull(v);
            return this;
        }

        /** The whole command line; defaults to the image's source for Multiboot (image path first), else empty. */
        public Builder commandLine(String v) {
            this.commandLine = v;
            return this;
        }

        public Builder modules(List<BootModule> v) {
            this.modules = List.copyOf(v);
            return this;
        }

        public Builder memorySize(long v) {
            this.memorySize = v;
            return this;
        }

        public Builder topology(SmpTopology v) {
            this.topology = Objects.requireNonNull(v);
            return this;
        }

        public Builder secondariesPoweredOff(boolean v) {
            this.secondariesPoweredOff = v;
            return this;
        }

        public Builder serial(SerialSink v) {
            this.serial = Objects.requireNonNull(v);
            return this;
        }

        public Builder meterRegistry(MeterRegistry v) {
            this.meterRegistry = v;
            return this;
        }

        public Builder lockChecks(boolean v) {
            this.lockChecks = v;
            return this;
        }

        public Builder writebackPolicy(WritebackPolicy v) {
            this.writebackPolicy = Objects.requireNonNull(v);
            return this;
        }

        public Builder loopPolicy(VcpuLoopPolicy v) {
            this.loopPolicy = Objects.requireNonNull(v);
            return this;
        }

        public Builder vcpuTimeoutMs(long v) {
            this.vcpuTimeoutMs = v;
            return this;
        }

        public Builder cpuModel(CpuModel v) {
            this.cpuModel = Objects.requireNonNull(v);
            return this;
        }

        public Builder noReboot(boolean v) {
            this.noReboot = v;
            return this;
        }

        public Builder startPaused(boolean v) {
            this.startPaused = v;
            return this;
        }

        public Builder listener(MachineListener v) {
            this.listener = Objects.requireNonNull(v);
            return this;
        }

        public MachineConfig build() {
            return new MachineConfig(this);
        }
    }
}
