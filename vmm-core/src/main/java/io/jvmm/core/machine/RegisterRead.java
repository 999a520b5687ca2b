package io.jvmm.core.machine;

/**
 * Which vCPUs a register read takes out of the guest, and whether together. Every read runs on the
 * vCPU's own thread, between two guest entries, and writes nothing back; so a read needs only the
 * vCPU it reads out of the guest, and what the others do meanwhile cannot be disturbed by it (an
 * IPI another CPU sends this one lands in KVM's copy, which the read copies and never overwrites).
 * <ul>
 *   <li>{@link #cpu(int)}: one vCPU leaves the guest for its own read; the others never stop.</li>
 *   <li>{@link #EACH}: every vCPU leaves the guest for its own read, independently, the others
 *       running meanwhile; the CPUs are seen at slightly different instants (QEMU's
 *       {@code info registers -a} reads them that way too). The default for all CPUs: it costs
 *       the guest the least.</li>
 *   <li>{@link #SNAPSHOT}: every vCPU leaves the guest and parks, then each is read, then all run
 *       again: all CPUs as of one instant, for when their states must agree (a lock hand-off, a
 *       deadlock), at the price of stopping the whole guest for the slowest read.</li>
 * </ul>
 *
 * @param cpu the one CPU to read, or -1 for all
 * @param together whether every vCPU parks before any is read (only with {@code cpu == -1})
 */
public record RegisterRead(int cpu, boolean together) {
    /** Every vCPU, each out of the guest only for its own read. */
    public static final RegisterRead EACH = new RegisterRead(-1, false);
    /** Every vCPU, all parked together: one instant. */
    public static final RegisterRead SNAPSHOT = new RegisterRead(-1, true);

    public RegisterRead {
        if (cpu < -1) {
            throw new IllegalArgumentException("CPU index " + cpu + " is negative");
        }
        if (cpu >= 0 && together) {
            throw new IllegalArgumentException("a one-CPU read stops only that CPU");
        }
    }

    /** CPU {@code index} alone; the other vCPUs keep running. */
    public static RegisterRead cpu(int index) {
        return new RegisterRead(index, false);
    }

    /** Whether this reads every CPU. */
    public boolean all() {
        return cpu < 0;
    }
}
