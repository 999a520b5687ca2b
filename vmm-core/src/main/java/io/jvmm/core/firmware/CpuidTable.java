package io.jvmm.core.firmware;

import io.jvmm.core.machine.SmpTopology;
import io.jvmm.kvm.CpuidEntry;
import java.util.ArrayList;
import java.util.List;

/**
 * Per-vCPU CPUID tables: what KVM supports (KVM_GET_SUPPORTED_CPUID), with the topology written
 * in so that every way a guest can ask (leaf 1, leaf 4, leaf 0xB, AMD's 0x80000008,
 * 0x8000001D and 0x8000001E) gives the same answer and the APIC ID of the asking CPU.
 *
 * <ul>
 *   <li>leaf 1: EBX[31:24] initial APIC ID, EBX[23:16] logical processors per package, EDX.HTT
 *       when that is above one; ECX.hypervisor set.</li>
 *   <li>leaf 4 (deterministic cache parameters): L1d, L1i, L2 shared by a core's threads, L3 by
 *       the package; EAX[31:26] = cores per package - 1.</li>
 *   <li>leaf 0xB: SMT level (shift = thread bits, count = threads), core level (shift = thread
 *       + core bits, count = threads * cores), then an invalid level; EDX = x2APIC ID.</li>
 * </ul>
 */
public final class CpuidTable {
    private static final int LEAF_VENDOR = 0x0;
    private static final int LEAF_FEATURES = 0x1;
    private static final int LEAF_CACHE = 0x4;
    private static final int LEAF_TOPOLOGY = 0xb;
    private static final int LEAF_TOPOLOGY_V2 = 0x1f;
    private static final int LEAF_AMD_POWER = 0x80000007;
    private static final int LEAF_AMD_SIZES = 0x80000008;
    private static final int LEAF_AMD_CACHE = 0x8000001d;
    private static final int LEAF_AMD_TOPOLOGY = 0x8000001e;
    private static final int SIGNIFICANT_INDEX = 1;

    private final List<CpuidEntry> supported;
    private final SmpTopology topology;

    /**
     * What {@code kvm} can give a vCPU of {@code model}: KVM_GET_SUPPORTED_CPUID, with two timer
     * features on only when the model turns them on, whatever this host's KVM reports (newer
     * kernels list both, older ones neither), so that the guest's CPU does not change with the
     * host kernel:
     * <ul>
     *   <li>the TSC-deadline timer ({@code +tsc-deadline}, where KVM emulates it): with it Linux
     *       needs no PIT and so skips its check of the timer's routing through the IOAPIC, which
     *       the Linux-boot tests want to see pass;</li>
     *   <li>the invariant TSC ({@code +invtsc}), off as in QEMU's {@code -cpu host}: with it Linux
     *       on an AMD CPU reads HWCR.TscFreqSel, which KVM leaves clear, and reports a firmware
     *       bug ("TSC doesn't count with P0 frequency").</li>
     * </ul>
     */
    public static List<CpuidEntry> supported(io.jvmm.kvm.Kvm kvm, CpuModel model) {
        return supported(kvm.supportedCpuid(), kvm.hasCapability(io.jvmm.kvm.KvmCap.TSC_DEADLINE_TIMER), model);
    }

    /** As {@link #supported(io.jvmm.kvm.Kvm, CpuModel)}, from KVM's table and whether it emulates the TSC-deadline timer. */
    static List<CpuidEntry> supported(List<CpuidEntry> kvmTable, boolean tscDeadlineEmulated, CpuModel model) {
        List<CpuidEntry> out = new ArrayList<>(kvmTable);
        for (int i = 0; i < out.size(); i++) {
            CpuidEntry e = out.get(i);
            if (e.function() == LEAF_FEATURES) {
                int ecx = model.turnsOn("tsc-deadline") && tscDeadlineEmulated
                        ? e.ecx() | ECX_TSC_DEADLINE : e.ecx() & ~ECX_TSC_DEADLINE;
                out.set(i, e.withRegisters(e.eax(), e.ebx(), ecx, e.edx()));
            } else if (e.function() == LEAF_AMD_POWER && !model.turnsOn("invtsc")) {
                out.set(i, e.withRegisters(e.eax(), e.ebx(), e.ecx(), e.edx() & ~EDX_INVARIANT_TSC));
            }
        }
        return out;
    }

    /** CPUID.1:ECX bit 24, the TSC-deadline mode of the local APIC timer (KVM emulates it in its local APIC). */
    static final int ECX_TSC_DEADLINE = 1 << 24;
    /** CPUID.80000007H:EDX bit 8, the invariant TSC. */
    static final int EDX_INVARIANT_TSC = 1 << 8;

    public CpuidTable(List<CpuidEntry> supported, SmpTopology topology) {
        this.supported = List.copyOf(supported);
        this.topology = topology;
    }

    /** CPUID leaf 1 EAX (family/model/stepping) as KVM reports it. */
    public int signature() {
        return find(LEAF_FEATURES, 0).map(CpuidEntry::eax).orElse(0);
    }

    /** CPUID leaf 1 EDX (feature flags) as KVM reports it. */
    public int features() {
        return find(LEAF_FEATURES, 0).map(CpuidEntry::edx).orElse(0);
    }

    private java.util.Optional<CpuidEntry> find(int function, int index) {
        return supported.stream().filter(e -> e.function() == function && e.index() == index).findFirst();
    }

    /** The table for the CPU with APIC ID {@code apicId}. */
    public List<CpuidEntry> forCpu(int apicId) {
        int threadBits = topology.threadBits();
        int coreBits = topology.coreBits();
        int threads = topology.threads();
        int perPackage = topology.threads() * topology.cores();
        List<CpuidEntry> out = new ArrayList<>();
        for (CpuidEntry e : supported) {
            switch (e.function()) {
                case LEAF_VENDOR -> out.add(e.withRegisters(Math.max(e.eax(), LEAF_TOPOLOGY), e.ebx(), e.ecx(), e.edx()));
                case LEAF_FEATURES -> {
                    int ebx = (e.ebx() & 0x0000ffff) | (apicId << 24) | (Math.min(perPackage, 255) << 16);
                    int edx = perPackage > 1 ? e.edx() | (1 << 28) : e.edx() & ~(1 << 28);
                    out.add(e.withRegisters(e.eax(), ebx, e.ecx() | (1 << 31), edx));
                }
                case LEAF_CACHE, LEAF_TOPOLOGY, LEAF_TOPOLOGY_V2 -> {
                    // replaced below
                }
                case LEAF_AMD_SIZES -> {
                    int nc = Math.min(perPackage, 256) - 1;
                    int ecx = (e.ecx() & ~0xf0ff) | nc | ((threadBits + coreBits) << 12);
                    out.add(e.withRegisters(e.eax(), e.ebx(), ecx, e.edx()));
                }
                case LEAF_AMD_CACHE -> {
                    int level = (e.eax() >> 5) & 7;
                    int sharing = level >= 3 ? perPackage : threads;
                    int eax = (e.eax() & ~(0xfff << 14)) | ((sharing - 1) << 14);
                    out.add(e.withRegisters(e.eax() == 0 ? 0 : eax, e.ebx(), e.ecx(), e.edx()));
                }
                case LEAF_AMD_TOPOLOGY -> {
                    int coreId = (apicId >> threadBits) & ((1 << coreBits) - 1);
                    int socket = apicId >> (threadBits + coreBits);
                    out.add(e.withRegisters(apicId, coreId | ((threads - 1) << 8), socket, 0));
                }
                default -> out.add(e);
            }
        }
        out.addAll(cacheLeaves(threadBits, coreBits));
        out.addAll(topologyLeaves(LEAF_TOPOLOGY, apicId, threadBits, coreBits, threads, perPackage));
        if (find(LEAF_TOPOLOGY_V2, 0).isPresent()) {
            out.addAll(topologyLeaves(LEAF_TOPOLOGY_V2, apicId, threadBits, coreBits, threads, perPackage));
        }
        return out;
    }

    private static List<CpuidEntry> topologyLeaves(int leaf, int apicId, int threadBits, int coreBits, int threads,
                                                   int perPackage) {
        return List.of(
                new CpuidEntry(leaf, 0, SIGNIFICANT_INDEX, threadBits, threads, (1 << 8), apicId),
                new CpuidEntry(leaf, 1, SIGNIFICANT_INDEX, threadBits + coreBits, perPackage, (2 << 8) | 1, apicId),
                new CpuidEntry(leaf, 2, SIGNIFICANT_INDEX, 0, 0, 2, apicId));
    }

    /** Leaf 4: 32 KiB L1d and L1i and 512 KiB L2 per core, 16 MiB L3 per package, 64-byte lines. */
    private List<CpuidEntry> cacheLeaves(int threadBits, int coreBits) {
        int coresField = ((1 << coreBits) - 1) << 26;
        int perCore = ((1 << threadBits) - 1) << 14;
        int perPackage = ((1 << (threadBits + coreBits)) - 1) << 14;
        return List.of(
                cache(0, 1, 1, coresField | perCore, 8, 64),
                cache(1, 2, 1, coresField | perCore, 8, 64),
                cache(2, 3, 2, coresField | perCore, 8, 1024),
                cache(3, 3, 3, coresField | perPackage, 16, 16384),
                new CpuidEntry(LEAF_CACHE, 4, SIGNIFICANT_INDEX, 0, 0, 0, 0));
    }

    /** One leaf-4 subleaf: type (1 data, 2 code, 3 unified), level, ways, sets, 64-byte lines, 1 partition. */
    private static CpuidEntry cache(int index, int type, int level, int topologyBits, int ways, int sets) {
        int eax = topologyBits | (1 << 8) | (level << 5) | type; // self-initializing
        int ebx = ((ways - 1) << 22) | (63);
        return new CpuidEntry(LEAF_CACHE, index, SIGNIFICANT_INDEX, eax, ebx, sets - 1, 0);
    }
}
