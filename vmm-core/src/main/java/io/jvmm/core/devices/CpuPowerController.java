package io.jvmm.core.devices;

/**
 * A paravirtual CPU power controller at ports 0x530-0x53f: the x86 stand-in for a firmware
 * start-cpu call, used by guests of machines whose secondary CPUs start powered off.
 *
 * <pre>
 *   read  0x530  signature 0x4350564A ("JVPC")
 *   write 0x534  entry address, latched per calling vCPU
 *   write 0x538  argument (EBX of the started CPU), latched per calling vCPU
 *   write 0x53c  start the CPU with this index, with the caller's latches
 *   read  0x53c  result of the caller's last start: 0 started, 1 no such CPU,
 *                2 not powered off, 3 bad entry address
 * </pre>
 * The started CPU begins in 32-bit flat protected mode as at a Multiboot entry, with EIP = entry,
 * EAX = its index, EBX = the argument, ESP = 0. Latches are per vCPU, so two CPUs starting others
 * at once cannot mix up their addresses. Guarded by the Big Lock.
 */
public final class CpuPowerController implements BusDevice {
    /** First port. */
    public static final int BASE = 0x530;
    /** Ports covered. */
    public static final int SIZE = 16;
    /** What a read of the first port returns. */
    public static final int SIGNATURE = 0x4350564A;

    private final GuestRequests machine;
    private final long[] entry;
    private final long[] arg;
    private final int[] result;

    /** A controller for a machine with {@code cpus} CPUs. */
    public CpuPowerController(GuestRequests machine, int cpus) {
        this.machine = machine;
        this.entry = new long[cpus];
        this.arg = new long[cpus];
        this.result = new int[cpus];
    }

    @Override
    public long read(long offset, int size, int cpu) {
        return switch ((int) offset) {
            case 0x0 -> SIGNATURE;
            case 0xc -> result[cpu];
            default -> 0xffffffffL;
        };
    }

    @Override
    public void write(long offset, int size, long value, int cpu) {
        switch ((int) offset) {
            case 0x4 -> entry[cpu] = value & 0xffffffffL;
            case 0x8 -> arg[cpu] = value & 0xffffffffL;
            case 0xc -> result[cpu] = machine.startCpu(cpu, (int) value, entry[cpu], arg[cpu]);
            default -> { }
        }
    }

    @Override
    public void reset() {
        java.util.Arrays.fill(entry, 0);
        java.util.Arrays.fill(arg, 0);
        java.util.Arrays.fill(result, 0);
    }
}
