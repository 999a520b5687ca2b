package io.jvmm.monitor.race;

import io.jvmm.core.machine.MachineConfig;
import io.jvmm.core.machine.MachineExit;
import io.jvmm.monitor.service.LaunchSpec;
import io.jvmm.monitor.service.ManagedVm;
import io.jvmm.monitor.service.VmService;
import java.time.Duration;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One run of a race guest ({@code ipi-storm}, or {@code powered-off} for the seed-000 shape)
 * under monitor load, classified: passed, lost an event (which one, from the guest's own report),
 * hung past its deadline, or failed otherwise.
 */
public record StormRun(Outcome outcome, String detail, MonitorLoad.Report load, long millis, String console) {
    /** How a run ended. */
    public enum Outcome {
        PASSED, LOST_EVENT, HUNG, VMM_ERROR, OTHER_FAILURE
    }

    private static final Pattern LOSS = Pattern.compile("(?m)^ipi-storm: (round \\d+: .*(did not check in|lost NMI|"
            + "counted|did not return|started from trampoline|has started).*)$");

    /**
     * Runs {@code guest} on {@code smp} vCPUs with {@code append}, configured further by
     * {@code customize}, under a {@code period} monitor load against the service at {@code baseUrl}.
     *
     * @param onHang called with the machine while it is still hung, before it is destroyed
     */
    public static StormRun run(VmService service, String baseUrl, String guest, String smp, String append,
                               boolean poweredOff, UnaryOperator<MachineConfig.Builder> customize, Duration period,
                               long deadlineMs, java.util.function.Consumer<ManagedVm> onHang) throws Exception {
        ManagedVm vm = service.create(LaunchSpec.of(guest, smp, "64M").withAppend(append).withPoweredOff(poweredOff), null, false,
                customize);
        long t0 = System.nanoTime();
        MachineExit exit;
        MonitorLoad.Report report;
        try (MonitorLoad load = new MonitorLoad(baseUrl, vm.id(), period, () -> !vm.machine().exitFuture().isDone())) {
            exit = vm.machine().awaitExit(deadlineMs);
            if (exit == null && onHang != null) {
                onHang.accept(vm);
            }
            load.close();
            report = load.report();
        } finally {
            service.destroy(vm.id());
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        String console = vm.console().text();
        if (exit == null) {
            return new StormRun(Outcome.HUNG, "no result after " + deadlineMs + " ms", report, ms, console);
        }
        if (exit.kind() == MachineExit.Kind.GUEST_EXIT && exit.code() == 0) {
            return new StormRun(Outcome.PASSED, exit.reason(), report, ms, console);
        }
        Matcher m = LOSS.matcher(console);
        if (exit.kind() == MachineExit.Kind.GUEST_EXIT && m.find()) {
            return new StormRun(Outcome.LOST_EVENT, m.group(1), report, ms, console);
        }
        if (exit.kind() == MachineExit.Kind.VMM_ERROR) {
            return new StormRun(Outcome.VMM_ERROR, exit.reason(), report, ms, console);
        }
        return new StormRun(Outcome.OTHER_FAILURE, exit.reason(), report, ms, console);
    }
}
