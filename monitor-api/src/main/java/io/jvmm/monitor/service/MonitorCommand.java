package io.jvmm.monitor.service;

import io.jvmm.core.machine.MachineState;
import java.util.EnumSet;
import java.util.Set;

/**
 * The typed commands of the HMP-like monitor. Each says which VM states allow it; the
 * {@link Monitor} refuses a command in any other state with a 409 that names the state.
 */
public sealed interface MonitorCommand {
    /** States in which the guest's vCPU threads exist. */
    Set<MachineState> LIVE = EnumSet.of(MachineState.RUNNING, MachineState.PAUSED, MachineState.RESETTING);
    /** Live, or ended with its vCPUs still readable (shut down, failed). */
    Set<MachineState> READABLE = EnumSet.of(MachineState.RUNNING, MachineState.PAUSED, MachineState.RESETTING,
            MachineState.SHUTDOWN, MachineState.FAILED);
    /** Any state a VM the service owns can be in. */
    Set<MachineState> ANY = EnumSet.complementOf(EnumSet.of(MachineState.DESTROYED));

    /** The command as typed, for metrics and messages ("info registers", "stop"). */
    String text();

    /** The states in which it may run. */
    Set<MachineState> allowedIn();

    /**
     * Whether running it may wait: for the Big Lock, for vCPUs to leave the guest, or for a VM to
     * end. A command that cannot (it reads published state only) is answered on the HTTP I/O
     * thread, without the hand-off to a worker; the others run on a worker.
     */
    default boolean mayWait() {
        return true;
    }

    /** The commands that take no argument. */
    enum Simple implements MonitorCommand {
        /** {@code info cpus}. */
        INFO_CPUS("info cpus", ANY, false),
        /** {@code info status}. */
        INFO_STATUS("info status", ANY, false),
        /** {@code info kvm}. */
        INFO_KVM("info kvm", ANY, false),
        /** {@code info sync-profile}: Big Lock wait and hold times by site. */
        INFO_SYNC_PROFILE("info sync-profile", ANY, false),
        /** {@code stop}: every vCPU leaves the guest and parks. */
        STOP("stop", LIVE, true),
        /** {@code cont}. */
        CONT("cont", LIVE, true),
        /** {@code system_reset}. */
        SYSTEM_RESET("system_reset", LIVE, true),
        /** {@code system_powerdown}: the ACPI power button. */
        SYSTEM_POWERDOWN("system_powerdown", LIVE, true),
        /** {@code nmi}: the NMI button, to every CPU through LINT1. */
        NMI("nmi", LIVE, true),
        /** {@code quit}: ends the VM (the service keeps running). */
        QUIT("quit", ANY, true);

        private final String text;
        private final Set<MachineState> allowed;
        private final boolean mayWait;

        Simple(String text, Set<MachineState> allowed, boolean mayWait) {
            this.text = text;
            this.allowed = allowed;
            this.mayWait = mayWait;
        }

        @Override
        public boolean mayWait() {
            return mayWait;
        }

        @Override
        public String text() {
            return text;
        }

        @Override
        public Set<MachineState> allowedIn() {
            return allowed;
        }
    }

    /**
     * {@code info registers}: the current CPU ({@code cpu} = -1), one CPU, or all ({@code -a}),
     * each out of the guest only for its own read, or with {@code --snapshot} all parked together
     * ({@link io.jvmm.core.machine.RegisterRead} says what each stops).
     */
    record InfoRegisters(boolean all, int cpu, boolean snapshot) implements MonitorCommand {
        /** One CPU ({@code cpu}, or the current one if -1), or all of them read each on its own. */
        public InfoRegisters(boolean all, int cpu) {
            this(all, cpu, false);
        }

        @Override
        public String text() {
            return snapshot ? "info registers -a --snapshot" : all ? "info registers -a" : "info registers";
        }

        @Override
        public Set<MachineState> allowedIn() {
            return READABLE;
        }
    }

    /** {@code cpu N}: makes CPU N the current CPU of this VM's monitor. */
    record SelectCpu(int cpu) implements MonitorCommand {
        @Override
        public String text() {
            return "cpu";
        }

        @Override
        public boolean mayWait() {
            return false;
        }

        @Override
        public Set<MachineState> allowedIn() {
            return ANY;
        }
    }

    /** {@code help [command]}. */
    record Help(String topic) implements MonitorCommand {
        @Override
        public String text() {
            return "help";
        }

        @Override
        public boolean mayWait() {
            return false;
        }

        @Override
        public Set<MachineState> allowedIn() {
            return ANY;
        }
    }
}
