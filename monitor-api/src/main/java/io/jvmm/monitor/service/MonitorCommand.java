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

    /** The command's name as typed, for metrics and messages ("info registers", "stop"). */
    String name();

    /** The states in which it may run. */
    Set<MachineState> allowedIn();

    /** {@code info registers}: the current CPU ({@code cpu} = -1), one CPU, or all ({@code -a}). */
    record InfoRegisters(boolean all, int cpu) implements MonitorCommand {
        @Override
        public String name() {
            return all ? "info registers -a" : "info registers";
        }

        @Override
        public Set<MachineState> allowedIn() {
            return READABLE;
        }
    }

    /** {@code info cpus}. */
    record InfoCpus() implements MonitorCommand {
        @Override
        public String name() {
            return "info cpus";
        }

        @Override
        public Set<MachineState> allowedIn() {
            return ANY;
        }
    }

    /** {@code info status}. */
    record InfoStatus() implements MonitorCommand {
        @Override
        public String name() {
            return "info status";
        }

        @Override
        public Set<MachineState> allowedIn() {
            return ANY;
        }
    }

    /** {@code info kvm}. */
    record InfoKvm() implements MonitorCommand {
        @Override
        public String name() {
            return "info kvm";
        }

        @Override
        public Set<MachineState> allowedIn() {
            return ANY;
        }
    }

    /** {@code info sync-profile}: Big Lock wait and hold times by site. */
    record InfoSyncProfile() implements MonitorCommand {
        @Override
        public String name() {
            return "info sync-profile";
        }

        @Override
        public Set<MachineState> allowedIn() {
            return ANY;
        }
    }

    /** {@code stop}: every vCPU leaves the guest and parks. */
    record Stop() implements MonitorCommand {
        @Override
        public String name() {
            return "stop";
        }

        @Override
        public Set<MachineState> allowedIn() {
            return LIVE;
        }
    }

    /** {@code cont}. */
    record Cont() implements MonitorCommand {
        @Override
        public String name() {
            return "cont";
        }

        @Override
        public Set<MachineState> allowedIn() {
            return LIVE;
        }
    }

    /** {@code system_reset}. */
    record SystemReset() implements MonitorCommand {
        @Override
        public String name() {
            return "system_reset";
        }

        @Override
        public Set<MachineState> allowedIn() {
            return LIVE;
        }
    }

    /** {@code nmi}: an NMI to every CPU. */
    record Nmi() implements MonitorCommand {
        @Override
        public String name() {
            return "nmi";
        }

        @Override
        public Set<MachineState> allowedIn() {
            return LIVE;
        }
    }

    /** {@code cpu N}: makes CPU N the current CPU of this VM's monitor. */
    record SelectCpu(int cpu) implements MonitorCommand {
        @Override
        public String name() {
            return "cpu";
        }

        @Override
        public Set<MachineState> allowedIn() {
            return ANY;
        }
    }

    /** {@code quit}: ends the VM (the service keeps running). */
    record Quit() implements MonitorCommand {
        @Override
        public String name() {
            return "quit";
        }

        @Override
        public Set<MachineState> allowedIn() {
            return ANY;
        }
    }

    /** {@code help [command]}. */
    record Help(String topic) implements MonitorCommand {
        @Override
        public String name() {
            return "help";
        }

        @Override
        public Set<MachineState> allowedIn() {
            return ANY;
        }
    }
}
