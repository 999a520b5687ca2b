package io.jvmm.core.machine;

import io.jvmm.core.boot.BootImageException;
import io.jvmm.core.memory.MemoryLayout;
import io.jvmm.kvm.Kvm;
import io.jvmm.kvm.KvmCap;
import java.util.List;

/** What a configuration must satisfy on a given KVM, checked before any VM exists. */
final class KvmLimits {
    private KvmLimits() {
    }

    /**
     * Checks {@code config} against what {@code kvm} supports, without creating anything.
     *
     * @throws ConfigException naming the first problem
     * @throws BootImageException if the image does not fit in RAM
     */
    static void check(MachineConfig config, Kvm kvm) throws ConfigException, BootImageException {
        SmpTopology t = config.topology();
        int maxVcpus = kvm.checkExtension(KvmCap.MAX_VCPUS);
        if (maxVcpus <= 0) {
            maxVcpus = Math.max(kvm.checkExtension(KvmCap.NR_VCPUS), 4);
        }
        if (t.maxCpus() > maxVcpus) {
            throw new ConfigException("Invalid -smp " + t.canonical() + ": " + t.maxCpus()
                    + " CPUs exceed this KVM's limit of " + maxVcpus + " (KVM_CAP_MAX_VCPUS)");
        }
        int maxId = kvm.checkExtension(KvmCap.MAX_VCPU_ID);
        if (maxId > 0 && t.maxApicId() >= maxId) {
            throw new ConfigException("Invalid -smp " + t.canonical() + ": APIC ID " + t.maxApicId()
                    + " exceeds this KVM's limit of " + (maxId - 1) + " (KVM_CAP_MAX_VCPU_ID)");
        }
        if (t.maxApicId() > 254) {
            throw new ConfigException("Invalid -smp " + t.canonical() + ": the topology needs APIC ID "
                    + t.maxApicId() + ", above the xAPIC limit of 254; use fewer CPUs or power-of-two cores and threads");
        }
        if (config.memorySize() < MemoryLayout.MIN_RAM || config.memorySize() > MemoryLayout.MAX_RAM) {
            throw new ConfigException("Invalid -m: " + (config.memorySize() >> 20) + "M is outside "
                    + (MemoryLayout.MIN_RAM >> 20) + "M.." + (MemoryLayout.MAX_RAM >> 20) + "M");
        }
        for (KvmCap cap : List.of(KvmCap.IRQCHIP, KvmCap.PIT2, KvmCap.IMMEDIATE_EXIT, KvmCap.MP_STATE,
                KvmCap.VCPU_EVENTS, KvmCap.USER_NMI)) {
            if (!kvm.hasCapability(cap)) {
                throw new ConfigException("This KVM lacks KVM_CAP_" + cap + ", which jvmm needs");
            }
        }
        try {
            config.cpuModel().apply(io.jvmm.core.firmware.CpuidTable.supported(kvm, config.cpuModel()));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
        config.image().checkFits(config.memorySize());
    }
}
