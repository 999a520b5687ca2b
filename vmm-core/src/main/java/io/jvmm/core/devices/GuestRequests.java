package io.jvmm.core.devices;

/**
 * What devices may ask of their machine on the guest's behalf. Called from a vCPU thread while it
 * dispatches an exit, with the Big Lock held; implementations only record the request and wake
 * whoever acts on it, they never wait.
 */
public interface GuestRequests {
    /** Result codes of {@link #startCpu}, as the CPU power controller reports them to the guest. */
    int START_OK = 0;
    /** No CPU has that index. */
    int START_NO_SUCH_CPU = 1;
    /** The CPU is not powered off. */
    int START_NOT_POWERED_OFF = 2;
    /** The entry address lies outside guest RAM. */
    int START_BAD_ENTRY = 3;

    /** The guest wrote {@code value} to the debug-exit port: end the run with that result. */
    void guestExit(int cpu, long value);

    /** The guest asked for power-off (ACPI S5). */
    void guestPowerOff(int cpu);

    /**
     * The guest asked for a reset (the reset control register, and later the keyboard controller
     * and port 0x92): CPU {@code cpu} stops at once and the machine resets.
     */
    void guestReset(int cpu);

    /**
     * The guest asked to start powered-off CPU {@code target} at {@code entry} with {@code arg} in EBX.
     *
     * @return one of the START_* codes
     */
    int startCpu(int cpu, int target, long entry, long arg);
}
