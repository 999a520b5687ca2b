package io.jvmm.core.firmware;

import io.jvmm.core.machine.SmpTopology;
import io.jvmm.core.memory.GuestMemory;
import io.jvmm.core.memory.MemoryLayout;
import io.jvmm.kvm.DescriptorTable;
import io.jvmm.kvm.LapicState;
import io.jvmm.kvm.Regs;
import io.jvmm.kvm.Segment;
import io.jvmm.kvm.Sregs;

/**
 * What the VMM's "firmware" leaves in the firmware area (0xE0000-0xFFFFF) and in the boot CPU
 * before the first guest instruction, standing in for a BIOS that loads a Multiboot image:
 * ACPI tables at {@link #ACPI_BASE}, MP tables at {@link #MP_BASE}, a flat GDT at
 * {@link #GDT_BASE}; the Multiboot entry state (32-bit protected mode, flat segments, EAX =
 * 0x2BADB002, EBX = the info structure); local APIC wiring (LINT0 ExtINT on the boot CPU, LINT1
 * NMI everywhere).
 */
public final class BootFirmware {
    /** Where the RSDP and the other ACPI tables go. */
    public static final long ACPI_BASE = MemoryLayout.FIRMWARE_START;
    /** Where the MP floating pointer and configuration table go. */
    public static final long MP_BASE = 0xf0000;
    /** Where the boot GDT goes. */
    public static final long GDT_BASE = 0xff000;
    /** Selectors in the boot GDT. */
    public static final int CODE_SELECTOR = 0x08;
    public static final int DATA_SELECTOR = 0x10;

    private static final long[] GDT = {0, 0x00cf9a000000ffffL, 0x00cf92000000ffffL};

    private final SmpTopology topology;
    private final CpuidTable cpuid;

    /** Firmware for {@code topology}, describing CPUs as {@code cpuid} does. */
    public BootFirmware(SmpTopology topology, CpuidTable cpuid) {
        this.topology = topology;
        this.cpuid = cpuid;
    }

    /** Writes the tables and the GDT. All vCPUs must be stopped. */
    public void write(GuestMemory memory) {
        memory.write(ACPI_BASE, new AcpiTables(topology).build(ACPI_BASE).bytes());
        memory.write(MP_BASE, new MpTable(topology, cpuid.signature(), cpuid.features()).build(MP_BASE));
        for (int i = 0; i < GDT.length; i++) {
            memory.writeU64(GDT_BASE + 8L * i, GDT[i]);
        }
    }

    /** The ACPI RSDP's physical address (the first of the tables). */
    public long rsdpAddress() {
        return ACPI_BASE;
    }

    /**
     * Segment and control registers of a CPU entering 32-bit flat protected mode (Multiboot
     * entry, or a powered-off CPU's start), derived from its reset-state {@code base} so TR and
     * LDT stay as KVM set them.
     */
    public static Sregs protectedModeEntry(Sregs base) {
        return base.withSegments(Segment.flatCode32(CODE_SELECTOR), Segment.flatData32(DATA_SELECTOR))
                .withTables(new DescriptorTable(GDT_BASE, GDT.length * 8 - 1), new DescriptorTable(0, 0x3ff))
                .withCr0(Sregs.CR0_PE | Sregs.CR0_ET);
    }

    /** The boot CPU's registers at a Multiboot entry. */
    public static Regs multibootEntry(long entry, long infoAddress) {
        return Regs.reset().withRaxRbx(0x2badb002L, infoAddress).withRip(entry);
    }

    /** A powered-off CPU's registers at its start: EAX = its index, EBX = the argument, ESP = 0. */
    public static Regs cpuStart(long entry, int index, long arg) {
        return Regs.reset().withRaxRbx(index, arg).withRip(entry).withRsp(0);
    }

    /** The local APIC as firmware leaves it: LINT1 NMI; on the boot CPU also LINT0 ExtINT and the APIC enabled. */
    public static LapicState wireLapic(LapicState reset, boolean bootCpu) {
        LapicState l = reset.withRegister(LapicState.REG_LVT_LINT1, LapicState.DM_NMI);
        if (bootCpu) {
            l = l.withRegister(LapicState.REG_LVT_LINT0, LapicState.DM_EXTINT)
                    .withRegister(LapicState.REG_SPURIOUS, 0x1ff);
        }
        return l;
    }
}
