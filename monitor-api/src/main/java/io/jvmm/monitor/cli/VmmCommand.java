package io.jvmm.monitor.cli;

import io.jvmm.guests.BundledGuests;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The top-level {@code vmm} command and its error handling: one line, no stack trace, status 2. */
@Command(name = "vmm", mixinStandardHelpOptions = true, versionProvider = VmmCommand.Version.class,
        subcommands = {RunCommand.class, ServeCommand.class, VmmCommand.Guests.class, CommandLine.HelpCommand.class},
        description = {"jvmm: a KVM virtual machine monitor.", ""},
        footer = {"", "Run './vmm COMMAND --help' for a command's options."})
public final class VmmCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return ExitCodes.BAD_INPUT;
    }

    /** Parses and runs {@code args}; returns the exit status. */
    public static int execute(String... args) {
        CommandLine cl = new CommandLine(new VmmCommand());
        cl.setParameterExceptionHandler((ex, a) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            String cmd = ex.getCommandLine().getCommandSpec().qualifiedName(" ");
            err.println("jvmm: " + ex.getMessage() + " (see '" + cmd.replaceFirst("^vmm", "./vmm") + " --help')");
            err.flush();
            return ExitCodes.BAD_INPUT;
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            err.println("jvmm: internal error: " + ex);
            ex.printStackTrace(err);
            err.flush();
            return ExitCodes.GUEST_FAULT;
        });
        return cl.execute(args);
    }

    /** {@code vmm guests}: lists the bundled guests. */
    @Command(name = "guests", description = "List the bundled guest programs (run one with './vmm run NAME').")
    static final class Guests implements Callable<Integer> {
        @Override
        public Integer call() {
            for (String n : BundledGuests.names()) {
                System.out.println(n);
            }
            return ExitCodes.OK;
        }
    }

    /** The version from the jar manifest, or "development". */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"jvmm " + io.jvmm.monitor.service.Versions.jvmm()};
        }
    }
}
