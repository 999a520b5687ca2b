package io.jvmm.monitor.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/** The JSON bodies of the REST API. */
public final class Dtos {
    private Dtos() {
    }

    /**
     * POST /vms. One of {@code guest} (a bundled guest) and {@code kernel} (a file in the image
     * directory) is required; {@code initrd} is a file there too.
     */
    public record CreateVm(String name, String guest, String kernel, String initrd, String smp, String memory, String append,
                           String cpu, @JsonProperty("start-powered-off") Boolean startPoweredOff,
                           @JsonProperty("no-reboot") Boolean noReboot, Boolean paused) {
    }

    /** The answer to POST /vms. */
    public record Created(String id) {
    }

    /** How a VM's run ended. */
    public record Exit(String kind, long code, String reason) {
    }

    /** GET /vms/{id}: what the VM is and where it is in its life. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record VmStatus(String id, String name, String guest, String status, boolean running, String smp, int cpus,
                           long memory, @JsonProperty("start-powered-off") boolean startPoweredOff,
                           @JsonProperty("created") String created, @JsonProperty("boot-ms") Double bootMs,
                           Exit exit, String qmp) {
    }

    /** One entry of GET /vms/{id}/cpus. */
    public record Cpu(int cpu, @JsonProperty("apic-id") int apicId, @JsonProperty("thread-id") long threadId,
                      String state, @JsonProperty("in-guest") boolean inGuest, boolean current) {
    }

    /** A segment register in GET .../registers. */
    public record SegmentRegs(int selector, String base, String limit, String flags) {
    }

    /** GET /vms/{id}/cpus/{n}/registers: one CPU's registers, read the deferred, read-only way. */
    public record Registers(int cpu, @JsonProperty("apic-id") int apicId, String mode,
                            @JsonProperty("mp-state") String mpState, boolean halted, Map<String, String> regs,
                            Map<String, SegmentRegs> segments, Map<String, String> tables,
                            Map<String, String> control, @JsonProperty("nmi-pending") boolean nmiPending,
                            @JsonProperty("nmi-masked") boolean nmiMasked) {
    }

    /** POST /vms/{id}/hmp, as QMP's human-monitor-command takes it. */
    public record Hmp(@JsonProperty("command-line") String commandLine) {
    }

    /** The answer to an HMP command: the text a QEMU user would see. */
    public record HmpReturn(@JsonProperty("return") String result) {
    }

    /** Every error: {"error": {"class": ..., "desc": ...}}, as QMP reports them. */
    public record Error(ErrorBody error) {
        public static Error of(String errorClass, String desc) {
            return new Error(new ErrorBody(errorClass, desc));
        }
    }

    /** The inside of {@link Error}. */
    public record ErrorBody(@JsonProperty("class") String errorClass, String desc) {
    }

    /** GET /vms. */
    public record VmList(List<VmStatus> vms) {
    }
}
