package io.jvmm.core.machine;

import io.jvmm.core.boot.BootImageException;
import io.jvmm.core.devices.AcpiPm;
import io.jvmm.core.devices.AcpiPmTimer;
import io.jvmm.core.devices.Bus;
import io.jvmm.core.devices.CmosRtc;
import io.jvmm.core.devices.CpuPowerController;
import io.jvmm.core.devices.DebugExit;
import io.jvmm.core.devices.FastA20Reset;
import io.jvmm.core.devices.FwCfg;
import io.jvmm.core.devices.GuestRequests;
import io.jvmm.core.devices.I8042;
import io.jvmm.core.devices.PostCodePort;
import io.jvmm.core.devices.ResetControl;
import io.jvmm.core.devices.Uart16550;
import io.jvmm.core.firmware.BootFirmware;
import io.jvmm.core.firmware.CpuidTable;
import io.jvmm.core.lock.BigLock;
import io.jvmm.core.memory.GuestMemory;
import io.jvmm.core.memory.MemoryLayout;
import io.jvmm.core.metrics.MachineMetrics;
import io.jvmm.core.vcpu.KvmVcpuBackend;
import io.jvmm.core.vcpu.Vcpu;
import io.jvmm.core.vcpu.VcpuState;
import io.jvmm.kvm.Kvm;
import io.jvmm.kvm.KvmCap;
import io.jvmm.kvm.VcpuFd;
import io.jvmm.kvm.VmFd;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The hardware of one machine, wired: guest RAM, the VM with its in-kernel interrupt controllers
 * and timer, the port-I/O and MMIO buses with their devices, the firmware tables, the loaded
 * image, and the vCPU descriptors. Every resource is registered with the machine's
 * {@link Closer} the moment it exists, so a failure half-way through closes what was taken.
 */
final class Platform {
    private final MachineConfig config;
    private final Kvm kvm;
    private final Closer closer;
    private final MachineMetrics metrics;
    private final BigLock bql;
    private final GuestMemory memory;
    private final VmFd vm;
    private final Bus pio = new Bus("pio");
    private final Bus mmio = new Bus("mmio");
    private final PostCodePort post = new PostCodePort();
    private final long createdNanos = System.nanoTime();
    private final CpuidTable cpuid;
    private final BootFirmware firmware;
    private final CpuResets resets;
    private Uart16550 uart;
    private AcpiPm pm;

    private Platform(MachineConfig config, Kvm kvm, Closer closer, MachineMetrics metrics) {
        this.config = config;
        this.kvm = kvm;
        this.closer = closer;
        this.metrics = metrics;
        this.bql = new BigLock(config.id() + " BQL", metrics.lockObserver(), config.lockChecks());
        this.memory = closer.add(GuestMemory.allocate(config.memorySize()));
        this.vm = closer.add(kvm.createVm());
        vm.setTssAddr(MemoryLayout.TSS_ADDR);
        vm.setIdentityMapAddr(MemoryLayout.IDENTITY_MAP_ADDR);
        vm.createIrqchip();
        vm.createPit2(true);
        vm.setUserMemoryRegion(0, 0, 0, memory.size(), memory.hostAddress());
        this.cpuid = new CpuidTable(config.cpuModel().apply(CpuidTable.supported(kvm, config.cpuModel())),
                config.topology());
        this.firmware = new BootFirmware(config.topology(), cpuid);
        this.resets = new CpuResets(config.topology().cpus(), config.secondariesPoweredOff());
    }

    /** Builds the platform of {@code config} on {@code kvm}, registering each resource with {@code closer}. */
    static Platform build(MachineConfig config, Kvm kvm, Closer closer) throws BootImageException {
        MachineMetrics metrics = new MachineMetrics(config.meterRegistry(), config.id());
        closer.add(metrics::close);
        Platform p = new Platform(config, kvm, closer, metrics);
        p.loadGuest();
        return p;
    }

    /** Adds the devices, which call back into {@code machine}, and creates the vCPUs (FD and template each). */
    List<Vcpu> createVcpus(GuestCallbacks machine) {
        addDevices(machine);
        SmpTopology topo = config.topology();
        int[] msrList = kvm.msrIndexList();
        boolean smm = kvm.hasCapability(KvmCap.X86_SMM);
        boolean xsave = kvm.hasCapability(KvmCap.XSAVE);
        List<Vcpu> vcpus = new ArrayList<>();
        for (int i = 0; i < topo.cpus(); i++) {
            int apicId = topo.apicId(i);
            VcpuFd fd = closer.add(vm.createVcpu(apicId));
            fd.setCpuid(cpuid.forCpu(apicId));
            resets.add(new CpuResets.Template(fd.getRegs(), fd.getSregs(), fd.getDebugRegs(),
                    fd.getMsrs(VcpuState.managedMsrs(msrList)), BootFirmware.wireLapic(fd.getLapic(), i == 0),
                    fd.getVcpuEvents()));
            KvmVcpuBackend backend = new KvmVcpuBackend(fd, xsave);
            VcpuState vs = new VcpuState("vcpu-" + i, i, backend, config.writebackPolicy(), msrList, smm);
            vcpus.add(new Vcpu(i, backend, vs, machine, config.loopPolicy()));
        }
        return vcpus;
    }

    private void addDevices(GuestRequests machine) {
        VmFd vmFd = vm;
        SmpTopology topo = config.topology();
        uart = new Uart16550(config.serial(), level -> vmFd.irqLine(Uart16550.COM1_IRQ, level));
        pio.add(PostCodePort.PORT, 1, "post", post);
        pio.add(DebugExit.PORT, DebugExit.SIZE, "debug-exit", new DebugExit(machine));
        pio.add(Uart16550.COM1, 8, "com1", uart);
        pio.add(FwCfg.SELECTOR_PORT, FwCfg.SIZE, "fw_cfg", new FwCfg(config.memorySize(), topo.cpus(), topo.maxCpus()));
        pio.add(CpuPowerController.BASE, CpuPowerController.SIZE, "cpu-power",
                new CpuPowerController(machine, topo.cpus()));
        pm = new AcpiPm(machine, level -> vmFd.irqLine(AcpiPm.SCI_IRQ, level));
        pio.add(AcpiPm.BASE, AcpiPm.SIZE, "acpi-pm", pm);
        pio.add(AcpiPmTimer.PORT, AcpiPmTimer.SIZE, "acpi-pm-timer", new AcpiPmTimer());
        pio.add(ResetControl.PORT, 1, "reset-control", new ResetControl(machine));
        pio.add(CmosRtc.PORT, CmosRtc.SIZE, "rtc-cmos", new CmosRtc(java.time.Clock.systemUTC(), config.memorySize()));
        I8042 kbc = new I8042(machine);
        pio.add(I8042.PORT, I8042.SIZE, "i8042-data", kbc);
        pio.add(I8042.COMMAND_PORT, I8042.SIZE, "i8042-command", kbc.commandPort());
        pio.add(FastA20Reset.PORT, FastA20Reset.SIZE, "port92", new FastA20Reset(machine));
    }

    /** Registers the machine's meters for its vCPUs and buses. */
    void bindMetrics(Supplier<List<Vcpu>> vcpus) {
        metrics.bind(vcpus, pio, mmio);
    }

    /** Copies the firmware tables, the kernel and its boot information into RAM. All vCPUs stopped. */
    private void loadGuest() throws BootImageException {
        firmware.write(memory);
        resets.loaded(config.image().load(memory, config.commandLine(), config.modules(), firmware.rsdpAddress()));
    }

    /**
     * A reset's platform part: devices to their reset state, firmware and kernel loaded again over
     * whatever the guest left there. The rest of RAM is kept, as a PC's RAM is across a reset (and
     * as QEMU keeps it). Big Lock held, vCPUs parked.
     */
    void resetDevicesAndReload() {
        bql.assertHeld("platform reset");
        pio.resetDevices();
        mmio.resetDevices();
        try {
            loadGuest();
        } catch (BootImageException e) {
            throw new IllegalStateException("Reloading " + e.getMessage(), e);
        }
    }

    /** Presses the ACPI power button. Big Lock held. */
    void pressPowerButton() {
        bql.assertHeld("power button");
        pm.pressPowerButton();
    }

    /** Feeds bytes to the serial receiver. Big Lock held. */
    void serialInput(byte[] data) {
        bql.assertHeld("serial input");
        for (byte b : data) {
            uart.receive(b);
        }
    }

    /** Nanoseconds from creation to the guest's first POST-port write, or -1. */
    long bootNanos() {
        long first = post.firstWriteNanos();
        return first == 0 ? -1 : first - createdNanos;
    }

    /** Removes the meters but keeps every KVM object open (vCPU threads that did not end may still use them). */
    void closeMetricsOnly() {
        metrics.close();
    }

    Closer closer() {
        return closer;
    }

    BigLock bql() {
        return bql;
    }

    GuestMemory memory() {
        return memory;
    }

    Bus pio() {
        return pio;
    }

    Bus mmio() {
        return mmio;
    }

    MachineMetrics metrics() {
        return metrics;
    }

    CpuResets resets() {
        return resets;
    }
}
