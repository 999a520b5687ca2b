package io.jvmm.core.vcpu;

import io.jvmm.core.devices.Bus;
import io.jvmm.kvm.VcpuExit;

/**
 * Where a vCPU's exits go: port and MMIO accesses to the machine's buses, everything else to the
 * vCPU's run state or the machine ({@link VcpuHost}). Runs on the vCPU thread; the Big Lock is
 * held except for {@link #dispatchWithoutLock}, which serves devices that do their own locking.
 */
final class ExitDispatcher {
    private final Vcpu vcpu;
    private final VcpuHost host;
    private final VcpuBackend backend;

    ExitDispatcher(Vcpu vcpu, VcpuHost host, VcpuBackend backend) {
        this.vcpu = vcpu;
        this.host = host;
        this.backend = backend;
    }

    /**
     * Whether {@code exit} leaves an answer for the guest that only the next KVM_RUN delivers: a
     * port or MMIO read, whose data KVM writes into the guest's registers when it re-enters.
     */
    static boolean leavesCompletion(VcpuExit exit) {
        return exit instanceof VcpuExit.IoIn || exit instanceof VcpuExit.MmioRead;
    }

    /** Port I/O to a device that does its own locking, handled before the Big Lock is taken back; true if handled. */
    boolean dispatchWithoutLock(VcpuExit exit) {
        int port;
        if (exit instanceof VcpuExit.IoOut o) {
            port = o.port();
        } else if (exit instanceof VcpuExit.IoIn i) {
            port = i.port();
        } else {
            return false;
        }
        Bus.Range r = host.pio().find(port);
        if (r == null || !r.device().ownLocking()) {
            return false;
        }
        dispatchIo(exit);
        return true;
    }

    /** Every other exit, with the Big Lock held. */
    void dispatch(VcpuExit exit) {
        String name = vcpu.name();
        if (exit instanceof VcpuExit.IoOut || exit instanceof VcpuExit.IoIn) {
            dispatchIo(exit);
        } else if (exit instanceof VcpuExit.MmioWrite w) {
            host.mmio().write(w.address(), w.length(), w.value(), vcpu.index());
        } else if (exit instanceof VcpuExit.MmioRead r) {
            backend.completeMmioRead(host.mmio().read(r.address(), r.length(), vcpu.index()));
        } else if (exit instanceof VcpuExit.Interrupted) {
            return;
        } else if (exit instanceof VcpuExit.Hlt) {
            vcpu.transition(VcpuRunState.HALTED);
        } else if (exit instanceof VcpuExit.Shutdown) {
            host.guestFault(vcpu, "triple fault (KVM_EXIT_SHUTDOWN) on " + name + where());
        } else if (exit instanceof VcpuExit.InternalError e) {
            host.guestFault(vcpu, "KVM internal error on " + name + ": suberror " + e.suberror() + " ("
                    + internalErrorName(e.suberror()) + ")" + where());
        } else if (exit instanceof VcpuExit.FailEntry f) {
            host.guestFault(vcpu, "KVM could not enter the guest on " + name + ": hardware reason 0x"
                    + Long.toHexString(f.hardwareReason()) + where());
        } else if (exit instanceof VcpuExit.SystemEvent e) {
            switch (e.type()) {
                case 1 -> host.guestPowerOffRequest(vcpu);
                case 2 -> host.guestResetRequest(vcpu);
                default -> host.guestFault(vcpu, "guest system event " + e.type() + " (crash) on " + name);
            }
        } else if (exit instanceof VcpuExit.Exception x) {
            host.guestFault(vcpu, "unhandled guest exception " + x.vector() + " on " + name + where());
        } else if (exit instanceof VcpuExit.Unknown u) {
            host.guestFault(vcpu, "unhandled KVM exit reason " + u.reason() + " on " + name + where());
        }
    }

    private void dispatchIo(VcpuExit exit) {
        Bus pio = host.pio();
        int cpu = vcpu.index();
        if (exit instanceof VcpuExit.IoOut o) {
            for (int i = 0; i < o.count(); i++) {
                pio.write(o.port(), o.size(), o.value(i), cpu);
            }
        } else if (exit instanceof VcpuExit.IoIn in) {
            byte[] data = new byte[in.size() * in.count()];
            for (int i = 0; i < in.count(); i++) {
                long v = pio.read(in.port(), in.size(), cpu);
                for (int b = 0; b < in.size(); b++) {
                    data[i * in.size() + b] = (byte) (v >>> (8 * b));
                }
            }
            backend.completeIoIn(data);
        }
    }

    private static String internalErrorName(int suberror) {
        return switch (suberror) {
            case 1 -> "emulation failure";
            case 2 -> "exception while delivering an exception";
            case 3 -> "event delivery failed";
            case 4 -> "unexpected exit reason";
            default -> "unknown";
        };
    }

    /** " at EIP=..." from a read-only look at the registers, or "" if they cannot be read. */
    private String where() {
        try {
            VcpuSnapshot s = vcpu.state().read();
            return String.format(" at %s=%x", s.sregs().longMode() ? "RIP" : "EIP", s.regs().rip());
        } catch (RuntimeException e) {
            return "";
        }
    }
}
