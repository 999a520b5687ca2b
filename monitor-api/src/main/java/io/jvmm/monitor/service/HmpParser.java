package io.jvmm.monitor.service;

import java.util.LinkedHashMap;
import java.util.Map;

/** Parses an HMP command line into a {@link MonitorCommand}; anything else is a {@link MonitorCommandException}. */
public final class HmpParser {
    /** Every command with its arguments and a one-line description, in help order. */
    static final Map<String, String> HELP = new LinkedHashMap<>();

    static {
        HELP.put("info registers [-a [--snapshot]|N]", "show the current CPU's registers, every CPU's (-a; "
                + "--snapshot: all stopped together, one instant), or CPU N's");
        HELP.put("info cpus", "list the CPUs and their host thread ids");
        HELP.put("info status", "show the VM's run state");
        HELP.put("info kvm", "show whether KVM is in use");
        HELP.put("info sync-profile", "show Big Lock wait and hold times by call site");
        HELP.put("cpu N", "make CPU N the current CPU");
        HELP.put("stop", "stop the guest: every vCPU leaves the guest and waits");
        HELP.put("cont|c", "let a stopped guest run again");
        HELP.put("system_reset", "reset the machine: every CPU and device, the image reloaded");
        HELP.put("system_powerdown", "press the ACPI power button (the guest decides whether to power off)");
        HELP.put("nmi", "inject an NMI into every CPU");
        HELP.put("quit|q", "end the VM");
        HELP.put("help|? [command]", "list the commands, or describe one");
    }

    private static final String VALID = "info, cpu, stop, cont, system_reset, system_powerdown, nmi, quit, help";

    private HmpParser() {
    }

    /**
     * Parses {@code line}.
     *
     * @throws MonitorCommandException for an empty line, an unknown command or wrong arguments
     */
    public static MonitorCommand parse(String line) {
        if (line == null || line.isBlank()) {
            throw new MonitorCommandException("GenericError", "Empty command line; valid commands: " + VALID
                    + " (try 'help')");
        }
        String[] w = line.trim().split("\\s+");
        String cmd = w[0];
        switch (cmd) {
            case "info":
                return info(w);
            case "stop":
                noArgs(w);
                return MonitorCommand.Simple.STOP;
            case "cont", "c":
                noArgs(w);
                return MonitorCommand.Simple.CONT;
            case "system_reset":
                noArgs(w);
                return MonitorCommand.Simple.SYSTEM_RESET;
            case "system_powerdown":
                noArgs(w);
                return MonitorCommand.Simple.SYSTEM_POWERDOWN;
            case "nmi":
                noArgs(w);
                return MonitorCommand.Simple.NMI;
            case "quit", "q":
                noArgs(w);
                return MonitorCommand.Simple.QUIT;
            case "help", "?":
                if (w.length > 2) {
                    throw new MonitorCommandException("GenericError", "'help' takes at most one command name");
                }
                return new MonitorCommand.Help(w.length == 2 ? w[1] : null);
            case "cpu":
                if (w.length != 2) {
                    throw new MonitorCommandException("GenericError", "'cpu' takes one CPU index, e.g. 'cpu 1'");
                }
                return new MonitorCommand.SelectCpu(index(w[1], "cpu"));
            default:
                throw new MonitorCommandException("CommandNotFound", "Unknown command '" + cmd + "'; valid commands: "
                        + VALID + " (try 'help')");
        }
    }

    private static MonitorCommand info(String[] w) {
        if (w.length < 2) {
            throw new MonitorCommandException("GenericError", "'info' needs a subcommand: registers, cpus, status, "
                    + "kvm or sync-profile");
        }
        switch (w[1]) {
            case "registers":
                if (w.length == 2) {
                    return new MonitorCommand.InfoRegisters(false, -1);
                }
                if (w.length == 3 && w[2].equals("-a")) {
                    return new MonitorCommand.InfoRegisters(true, -1);
                }
                if (w.length == 4 && (w[2] + " " + w[3]).matches("-a --snapshot|--snapshot -a")) {
                    return new MonitorCommand.InfoRegisters(true, -1, true);
                }
                if (w.length == 3 && !w[2].startsWith("-")) {
                    return new MonitorCommand.InfoRegisters(false, index(w[2], "info registers"));
                }
                throw new MonitorCommandException("GenericError", "'info registers' takes '-a' (with '--snapshot' for "
                        + "every CPU at one instant), a CPU index or nothing; got '"
                        + String.join(" ", java.util.Arrays.copyOfRange(w, 2, w.length)) + "'");
            case "cpus":
                infoNoArgs(w);
                return MonitorCommand.Simple.INFO_CPUS;
            case "status":
                infoNoArgs(w);
                return MonitorCommand.Simple.INFO_STATUS;
            case "kvm":
                infoNoArgs(w);
                return MonitorCommand.Simple.INFO_KVM;
            case "sync-profile":
                infoNoArgs(w);
                return MonitorCommand.Simple.INFO_SYNC_PROFILE;
            default:
                throw new MonitorCommandException("CommandNotFound", "Unknown 'info' subcommand '" + w[1]
                        + "'; valid: registers, cpus, status, kvm, sync-profile");
        }
    }

    private static void noArgs(String[] w) {
        if (w.length > 1) {
            throw new MonitorCommandException("GenericError", "'" + w[0] + "' takes no arguments; got '"
                    + String.join(" ", java.util.Arrays.copyOfRange(w, 1, w.length)) + "'");
        }
    }

    private static void infoNoArgs(String[] w) {
        if (w.length > 2) {
            throw new MonitorCommandException("GenericError", "'info " + w[1] + "' takes no arguments");
        }
    }

    private static int index(String s, String command) {
        try {
            int n = Integer.parseInt(s);
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new MonitorCommandException("GenericError", "'" + command + "' takes a CPU index (0, 1, ...); got '"
                + s + "'");
    }
}
