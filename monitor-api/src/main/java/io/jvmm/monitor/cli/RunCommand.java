package io.jvmm.monitor.cli;

import io.jvmm.core.boot.BootImageException;
import io.jvmm.core.machine.ConfigException;
import io.jvmm.core.machine.Machine;
import io.jvmm.core.machine.MachineConfig;
import io.jvmm.core.firmware.CpuModel;
import io.jvmm.core.machine.MachineExit;
import io.jvmm.kvm.Kvm;
import io.jvmm.kvm.KvmException;
import io.jvmm.monitor.service.LaunchSpec;
import java.util.concurrent.Callable;
import io.quarkus.runtime.Quarkus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vmm run}: boots one guest and exits with its result. */
@Command(name = "run", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Boot a guest and exit with the value it writes to the debug-exit port (0xf4).",
            "GUEST (or -kernel FILE) is a bundled guest's name (see './vmm guests') or a kernel",
            "file: a Multiboot ELF, a Linux vmlinux with a PVH entry note, or a Linux bzImage.",
            "QEMU's options for the same things are taken as QEMU takes them.", ""},
        footer = {"", "Examples:",
            "  ./vmm run hello",
            "  ./vmm run -smp 8,sockets=2,cores=2,threads=2 -m 64M smp-boot",
            "  ./vmm run -smp 8 --start-powered-off powered-off",
            "  ./vmm run -append 'exit=3' ./my-kernel.elf",
            "  ./vmm run -smp 4 -m 512M -kernel vmlinux -initrd initrd.img -append 'console=ttyS0' -no-reboot", "",
            "Exit status: the guest's debug-exit value (low 8 bits); 0 ACPI power-off, or a reset under -no-reboot;",
            "2 invalid input (nothing was started); 124 --timeout expired; 125 the guest faulted or the VMM failed;",
            "126 KVM is unavailable.", ""})
final class RunCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "GUEST",
            description = "Bundled guest name or path to a kernel (same as -kernel).")
    String guest;

    @Option(names = {"-kernel", "--kernel"}, paramLabel = "FILE",
            description = "Kernel to boot, as QEMU's -kernel: Multiboot ELF, PVH vmlinux or bzImage.")
    String kernel;

    @Option(names = {"-smp", "--smp"}, paramLabel = "[cpus=]N[,sockets=S][,cores=C][,threads=T][,maxcpus=M]",
            defaultValue = "1", description = "CPUs and topology, as QEMU's -smp (default: ${DEFAULT-VALUE}).")
    String smp;

    @Option(names = {"-m", "--memory"}, paramLabel = "SIZE", defaultValue = "64M",
            description = "Guest RAM, as QEMU's -m: a number of MiB or a size with K/M/G (default: ${DEFAULT-VALUE}).")
    String memory;

    @Option(names = {"-append", "--append"}, paramLabel = "ARGS",
            description = "Kernel command line, as QEMU's -append (for Multiboot, after the image path).")
    String append;

    @Option(names = {"-initrd", "--initrd"}, paramLabel = "FILE | \"FILE [ARGS][,FILE [ARGS]]...\"",
            description = "As QEMU's -initrd: a Linux kernel's initrd, or a Multiboot image's modules.")
    String initrd;

    @Option(names = {"-cpu", "--cpu"}, paramLabel = "host[,+FEATURE|,-FEATURE]...", defaultValue = "host",
            description = "CPU model, as QEMU's -cpu: host with CPUID features turned off or on (-cpu help lists them).")
    String cpu;

    @Option(names = {"-no-reboot", "--no-reboot"},
            description = "End the run when the guest (or system_reset) asks for a reset, as QEMU's -no-reboot.")
    boolean noReboot;

    @Option(names = "-S", description = "Start paused, every vCPU before its first instruction, as QEMU's -S; "
            + "needs --monitor to continue ('cont').")
    boolean paused;

    @Mixin
    QemuCompatOptions qemu;

    @Option(names = "--start-powered-off",
            description = "Start every CPU but the boot CPU powered off; the guest starts them through the CPU "
                    + "power controller (ports 0x530-0x53f).")
    boolean poweredOff;

    @Option(names = "--monitor",
            description = "Also serve the REST monitor for this VM while it runs (see --host, --port, --socket).")
    boolean monitor;

    @Mixin
    ListenOptions listen;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "0",
            description = "Stop the guest after this many seconds and exit 124 (default: no limit).")
    long timeoutSeconds;

    @Override
    public Integer call() {
        if (timeoutSeconds < 0) {
            return fail(ExitCodes.BAD_INPUT, "Invalid --timeout " + timeoutSeconds + ": give 0 (no limit) or more seconds");
        }
        String compat = qemu.validate();
        if (compat != null) {
            return fail(ExitCodes.BAD_INPUT, compat);
        }
        if (paused && !monitor && qemu.qmp == null) {
            return fail(ExitCodes.BAD_INPUT, "-S starts the guest paused and only a monitor can continue it; add "
                    + "--monitor (then POST /vms/{id}/resume) or -qmp unix:PATH,server,nowait (then 'cont')");
        }
        if ("help".equals(cpu)) {
            System.out.print(CpuModel.help());
            return ExitCodes.OK;
        }
        if (guest != null && kernel != null) {
            return fail(ExitCodes.BAD_INPUT, "Both a GUEST (" + guest + ") and -kernel (" + kernel + ") given; "
                    + "name the kernel once");
        }
        if (guest == null && kernel == null) {
            return fail(ExitCodes.BAD_INPUT, "No guest given: name a bundled guest (./vmm guests) or a kernel file "
                    + "(-kernel FILE)");
        }
        if (listen.metricsPort != null && !monitor) {
            return fail(ExitCodes.BAD_INPUT, "--metrics-port needs --monitor: the metrics are served by the monitor "
                    + "service");
        }
        LaunchSpec spec = new LaunchSpec(guest != null ? guest : kernel, smp, memory, append, initrd, cpu,
                poweredOff, noReboot, paused, qemu.name);
        MachineConfig.Builder builder;
        try {
            builder = spec.toConfig();
        } catch (ConfigException | BootImageException e) {
            return fail(ExitCodes.BAD_INPUT, e.getMessage());
        }
        if (!Kvm.isAvailable()) {
            return fail(ExitCodes.NO_KVM, "KVM is unavailable: " + Kvm.unavailabilityCause()
                    + " (jvmm needs read-write access to /dev/kvm)");
        }
        if (monitor || qemu.qmp != null) {
            return runWithMonitor(spec);
        }
        try (QemuCompatOptions.SerialTarget serial = openSerial()) {
            if (serial == null) {
                return ExitCodes.BAD_INPUT;
            }
            MachineConfig config = builder.id(qemu.name != null ? qemu.name : "vm-0").serial(serial.sink()).build();
            Machine machine;
            try {
                machine = Machine.create(config);
            } catch (ConfigException | BootImageException e) {
                return fail(ExitCodes.BAD_INPUT, e.getMessage());
            }
            Thread hook = new Thread(machine::destroy, "vmm-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                qemu.writePidfile();
                machine.start();
                if (qemu.serialOnStdio()) {
                    forwardStdin(machine);
                }
                MachineExit exit = machine.awaitExit(timeoutSeconds == 0 ? Long.MAX_VALUE : timeoutSeconds * 1000);
                serial.close();
                if (exit == null) {
                    return fail(ExitCodes.TIMEOUT, "the guest did not finish within " + timeoutSeconds + " s; stopped it");
                }
                return ended(exit);
            } finally {
                machine.destroy();
                qemu.removePidfile();
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException e) {
                    // already shutting down
                }
            }
        } catch (KvmException e) {
            return fail(ExitCodes.GUEST_FAULT, e.getMessage());
        } catch (java.io.IOException e) {
            return fail(ExitCodes.BAD_INPUT, "-pidfile " + qemu.pidfile + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail(ExitCodes.GUEST_FAULT, "interrupted");
        }
    }

    /** Opens -serial's target, or says why it cannot and returns null. */
    private QemuCompatOptions.SerialTarget openSerial() {
        try {
            return qemu.openSerial();
        } catch (java.io.IOException | RuntimeException e) {
            fail(ExitCodes.BAD_INPUT, "-serial " + qemu.serial + " cannot be opened: " + e.getMessage());
            return null;
        }
    }

    /**
     * Forwards what arrives on stdin to the guest's serial port (COM1), as QEMU's {@code -serial
     * stdio} does, on a daemon thread that ends with the input or the run.
     */
    private static void forwardStdin(Machine machine) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[256];
            try {
                int n;
                while ((n = System.in.read(buf)) > 0 && machine.state().isLive()) {
                    machine.sendSerialInput(java.util.Arrays.copyOf(buf, n));
                }
            } catch (java.io.IOException | RuntimeException e) {
                // stdin closed, or the machine ended: nothing more to forward
            }
        }, "stdin-serial");
        t.setDaemon(true);
        t.start();
    }

    /**
     * Hands the VM to the Quarkus service, which runs it with its monitors (REST with --monitor, QMP
     * with -qmp; without --monitor no HTTP listener is opened) and exits with its result.
     */
    private int runWithMonitor(LaunchSpec spec) {
        String problem = monitor ? listen.validate() : null;
        if (problem != null) {
            return fail(ExitCodes.BAD_INPUT, problem);
        }
        if (timeoutSeconds != 0) {
            return fail(ExitCodes.BAD_INPUT, "--timeout does not combine with --monitor or -qmp; end the VM with "
                    + "'quit'");
        }
        QemuCompatOptions.SerialTarget serial = openSerial();
        if (serial == null) {
            return ExitCodes.BAD_INPUT;
        }
        try {
            String where = "";
            if (monitor) {
                where = listen.apply();
            } else {
                System.setProperty("quarkus.http.host-enabled", "false");
            }
            ServiceLaunch.set(new ServiceLaunch(spec, where, qemu.qmpPath(), serial));
        } catch (java.io.IOException e) {
            serial.close();
            return fail(ExitCodes.BAD_INPUT, e.getMessage());
        }
        try {
            qemu.writePidfile();
        } catch (java.io.IOException e) {
            serial.close();
            return fail(ExitCodes.BAD_INPUT, "-pidfile " + qemu.pidfile + ": " + e.getMessage());
        }
        Quarkus.run(ServiceApp.class, (code, failure) -> {
            if (failure != null) {
                System.err.println("jvmm: the monitor failed to start: " + ServeCommand.rootMessage(failure));
            }
            qemu.removePidfile();
            System.exit(failure != null && code == 0 ? ExitCodes.GUEST_FAULT : code);
        });
        return ExitCodes.OK;
    }

    /** The run's status, with the reason on stderr unless the guest chose its result. */
    static int ended(MachineExit exit) {
        String why = ExitCodes.explain(exit);
        int status = ExitCodes.forExit(exit);
        return why == null ? status : fail(status, why);
    }

    private static int fail(int status, String message) {
        System.out.flush();
        System.err.println("jvmm: " + message);
        return status;
    }
}
