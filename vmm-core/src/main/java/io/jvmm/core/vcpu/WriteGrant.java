package io.jvmm.core.vcpu;

import java.util.function.BooleanSupplier;

/**
 * The authority for a write of vCPU state at a {@link WritebackLevel}: a write names its grant,
 * and {@link VcpuState#flush} checks, on the vCPU's own thread with the Big Lock held and before
 * anything reaches the kernel, that the grant still holds. A level is therefore never taken on a
 * caller's word:
 * <ul>
 *   <li>{@link #RUNTIME} always holds: it carries none of the fields another vCPU can change.</li>
 *   <li>A RESET grant holds while the pause that stopped every vCPU for the reset is still in
 *       force ({@code CpuManager.Pause}), or, for one CPU's power-on, while that CPU is still
 *       powered off. A reset item that runs after its sender gave up and let the vCPUs run again
 *       finds its grant void and writes nothing.</li>
 *   <li>A FULL grant holds while the vCPU has never run ({@link VcpuRunState#CREATED}).</li>
 * </ul>
 */
public interface WriteGrant {
    /** Runtime writes: other vCPUs run; allowed at any time. */
    WriteGrant RUNTIME = new WriteGrant() {
        @Override
        public WritebackLevel level() {
            return WritebackLevel.RUNTIME;
        }

        @Override
        public boolean holds() {
            return true;
        }

        @Override
        public String toString() {
            return "runtime";
        }
    };

    /** The level this grant allows. */
    WritebackLevel level();

    /** Whether the grant still holds. Called on the vCPU thread with the Big Lock held. */
    boolean holds();

    /**
     * A grant for {@code level} that holds while {@code condition} does, described by {@code what}
     * in refusals ("vcpu-2 is powered off").
     */
    static WriteGrant whileTrue(WritebackLevel level, String what, BooleanSupplier condition) {
        return new WriteGrant() {
            @Override
            public WritebackLevel level() {
                return level;
            }

            @Override
            public boolean holds() {
                return condition.getAsBoolean();
            }

            @Override
            public String toString() {
                return level + " while " + what;
            }
        };
    }
}
