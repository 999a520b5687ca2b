package io.jvmm.monitor.service;

import io.jvmm.core.lock.LockSite;
import io.jvmm.core.machine.InvalidStateException;
import io.jvmm.core.machine.Machine;
import io.jvmm.core.machine.MachineState;
import io.jvmm.core.machine.RegisterRead;
import io.jvmm.core.metrics.VmmMetrics;
import io.jvmm.core.vcpu.Vcpu;
import io.jvmm.core.vcpu.VcpuSnapshot;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runs monitor commands against a VM and renders the text a QEMU user would see. Register reads
 * go through {@link Machine#readRegisters}: each vCPU read leaves the guest only for its own read
 * (all of them together only for {@code info registers -a --snapshot}) and is read on its own
 * thread in the safe order; nothing is written back, and the VM runs on. Formatting happens after
 * the reads, with the vCPUs back in the guest.
 */
@ApplicationScoped
public class Monitor {
    @Inject
    VmService service;

    @Inject
    MeterRegistry registry;

    @Inject
    ServiceEvents events;

    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    /**
     * Parses and runs {@code commandLine} on {@code vm}; returns the text of the answer. With
     * {@code cpuIndex} (unless negative) as the current CPU for this command only (QMP's
     * human-monitor-command "cpu-index").
     */
    public String hmp(ManagedVm vm, String commandLine, int cpuIndex) {
        MonitorCommand cmd = HmpParser.parse(commandLine);
        if (cpuIndex >= 0 && cmd instanceof MonitorCommand.InfoRegisters r && !r.all() && r.cpu() < 0) {
            cmd = new MonitorCommand.InfoRegisters(false, checkCpu(vm.machine(), cpuIndex));
        }
        return execute(vm, cmd);
    }

    /** Runs {@code cmd} on {@code vm}, timing it by command name. */
    public String execute(ManagedVm vm, MonitorCommand cmd) {
        MachineState state = vm.machine().state();
        if (!cmd.allowedIn().contains(state)) {
            throw new InvalidStateException(cmd.text(), state, describe(cmd.allowedIn()));
        }
        long t0 = System.nanoTime();
        try {
            return run(vm, cmd);
        } finally {
            timer(cmd.text()).record(System.nanoTime() - t0, java.util.concurrent.TimeUnit.NANOSECONDS);
        }
    }

    /**
     * CPU {@code cpu}'s registers for the JSON view, read the deferred, read-only way with only
     * that vCPU out of the guest; checked and timed like the text command.
     */
    public VcpuSnapshot registers(ManagedVm vm, int cpu) {
        MonitorCommand.InfoRegisters cmd = new MonitorCommand.InfoRegisters(false, cpu);
        MachineState state = vm.machine().state();
        if (!cmd.allowedIn().contains(state)) {
            throw new InvalidStateException(cmd.text(), state, describe(cmd.allowedIn()));
        }
        checkCpu(vm.machine(), cpu);
        long t0 = System.nanoTime();
        try {
            return vm.machine().readRegisters(RegisterRead.cpu(cpu)).get(0);
        } finally {
            timer("registers (json)").record(System.nanoTime() - t0, java.util.concurrent.TimeUnit.NANOSECONDS);
        }
    }

    private Timer timer(String command) {
        return timers.computeIfAbsent(command, c -> Timer.builder(VmmMetrics.MONITOR_COMMAND)
                .description("Monitor command latency").tag("command", c)
                .serviceLevelObjectives(VmmMetrics.COMMAND_BUCKETS).register(registry));
    }

    private static String describe(java.util.Set<MachineState> states) {
        return String.join(" or ", states.stream().sorted().map(MachineState::tag).toList());
    }

    private String run(ManagedVm vm, MonitorCommand cmd) {
        Machine m = vm.machine();
        if (cmd instanceof MonitorCommand.InfoRegisters r) {
            if (r.all()) {
                List<VcpuSnapshot> all = m.readRegisters(r.snapshot() ? RegisterRead.SNAPSHOT : RegisterRead.EACH);
                StringBuilder sb = new StringBuilder();
                all.forEach(s -> sb.append(RegisterDump.format(s)));
                return sb.toString();
            }
            int cpu = r.cpu() >= 0 ? checkCpu(m, r.cpu()) : vm.currentCpu();
            return RegisterDump.format(m.readRegisters(RegisterRead.cpu(cpu)).get(0));
        } else if (cmd instanceof MonitorCommand.SelectCpu s) {
            vm.currentCpu(checkCpu(m, s.cpu()));
            return "";
        } else if (cmd instanceof MonitorCommand.Help h) {
            return help(h.topic());
        }
        switch ((MonitorCommand.Simple) cmd) {
            case INFO_CPUS:
                StringBuilder sb = new StringBuilder();
                for (Vcpu v : m.vcpus()) {
                    sb.append(v.index() == vm.currentCpu() ? "* " : "  ").append("CPU #").append(v.index())
                            .append(": thread_id=").append(v.hostThreadId()).append('\n');
                }
                return sb.toString();
            case INFO_STATUS:
                return "VM status: " + qemuStatus(m.state()) + "\n";
            case INFO_KVM:
                return "kvm support: enabled\n";
            case INFO_SYNC_PROFILE:
                return syncProfile(m);
            case STOP:
                MachineState beforeStop = m.state();
                m.pause();
                if (beforeStop == MachineState.RUNNING) {
                    events.publish(vm, VmEvent.PAUSED, Map.of("by", "operator"));
                }
                return "";
            case CONT:
                MachineState beforeCont = m.state();
                m.resume();
                if (beforeCont == MachineState.PAUSED) {
                    events.publish(vm, VmEvent.RESUMED, Map.of("by", "operator"));
                }
                return "";
            case SYSTEM_RESET:
                m.reset();
                if (m.state().isLive()) {
                    events.publish(vm, VmEvent.RESET, Map.of("by", "operator"));
                }
                return "";
            case SYSTEM_POWERDOWN:
                m.pressPowerButton();
                events.publish(vm, VmEvent.POWERDOWN, Map.of("by", "operator"));
                return "";
            case NMI:
                m.injectNmi();
                return "";
            case QUIT:
                service.destroy(vm.id());
                return "";
            default:
                throw new IllegalStateException("unhandled command " + cmd);
        }
    }

    private static int checkCpu(Machine m, int cpu) {
        int n = m.vcpus().size();
        if (cpu >= n) {
            throw new MonitorCommandException("GenericError", "CPU index " + cpu + " is out of range; this VM has "
                    + (n == 1 ? "CPU 0" : "CPUs 0-" + (n - 1)));
        }
        return cpu;
    }

    /** QEMU's run-state names for {@code info status}. */
    static String qemuStatus(MachineState s) {
        return switch (s) {
            case CREATED -> "prelaunch";
            case RUNNING -> "running";
            case PAUSED -> "paused";
            case RESETTING -> "paused (restore-vm)";
            case SHUTDOWN -> "paused (shutdown)";
            case FAILED -> "paused (internal-error)";
            case DESTROYED -> "paused (shutdown)";
        };
    }

    private static String syncProfile(Machine m) {
        StringBuilder sb = new StringBuilder();
        String header = String.format("%-6s %-8s %-20s %14s %10s %13s %10s %14s %14s%n", "Type", "Object", "Call site",
                "Wait Time (s)", "Count", "Average (us)", "Contended", "Max wait (us)", "Hold Time (s)");
        sb.append(header.replace("\r", ""));
        String rule = "-".repeat(header.trim().length()) + "\n";
        sb.append(rule);
        List<LockSite.Stats> stats = m.bql().sites().stream().map(LockSite::stats)
                .sorted(Comparator.comparingLong(LockSite.Stats::waitNanos).reversed()
                        .thenComparing(LockSite.Stats::site))
                .toList();
        for (LockSite.Stats s : stats) {
            double avgUs = s.acquisitions() == 0 ? 0 : s.waitNanos() / 1000.0 / s.acquisitions();
            sb.append(String.format("%-6s %-8s %-20s %14.6f %10d %13.2f %10d %14.1f %14.6f%n", "BQL", m.id(),
                    s.role().tag() + "/" + s.site(), s.waitNanos() / 1e9, s.acquisitions(), avgUs, s.contended(),
                    s.maxWaitNanos() / 1000.0, s.holdNanos() / 1e9));
        }
        sb.append(rule);
        return sb.toString().replace("\r", "");
    }

    private static String help(String topic) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> e : HmpParser.HELP.entrySet()) {
            String name = e.getKey();
            if (topic == null || name.startsWith(topic + " ") || name.equals(topic)
                    || name.startsWith(topic + "|") || ("info".equals(topic) && name.startsWith("info "))) {
                sb.append(String.format("%-24s -- %s%n", name, e.getValue()));
            }
        }
        if (sb.length() == 0) {
            throw new MonitorCommandException("CommandNotFound", "No command '" + topic + "'; try 'help'");
        }
        return sb.toString().replace("\r", "");
    }
}
