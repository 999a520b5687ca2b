package io.jvmm.core.firmware;

import io.jvmm.core.machine.SmpTopology;
import io.jvmm.core.memory.MemoryLayout;

/**
 * The Intel MultiProcessor Specification 1.4 tables: a floating pointer structure ("_MP_") and a
 * configuration table ("PCMP") listing each present CPU (the boot CPU flagged), the ISA bus, the
 * IOAPIC, the ISA interrupts routed to it (IRQ 0 on pin 2, ExtINT on pin 0) and the local
 * interrupts (LINT0 ExtINT, LINT1 NMI on every CPU).
 */
public final class MpTable {
    private final SmpTopology topology;
    private final int cpuSignature;
    private final int cpuFeatures;

    /** Tables for {@code topology}; the signature and features are CPUID leaf 1's EAX and EDX. */
    public MpTable(SmpTopology topology, int cpuSignature, int cpuFeatures) {
        this.topology = topology;
        this.cpuSignature = cpuSignature;
        this.cpuFeatures = cpuFeatures;
    }

    /**
     * The IOAPIC ID the table uses: 0, the reset value of the in-kernel IOAPIC's ID register (4 bits
     * wide) and the ID the MADT gives, so every source agrees. IOAPIC and local APIC IDs are
     * separate name spaces in practice; operating systems accept the overlap.
     */
    public int ioapicId() {
        return 0;
    }

    /** The floating pointer followed by the configuration table, laid out at {@code base} (16-byte aligned). */
    public byte[] build(long base) {
        long config = base + 16;
        TableBuilder t = new TableBuilder().ascii("PCMP", 4, ' ').u16(0).u8(4).u8(0).ascii("JVMM", 8, ' ')
                .ascii("JVMM SMP", 12, ' ').u32(0).u16(0).u16(0).u32(MemoryLayout.LAPIC_BASE).u16(0).u8(0).u8(0);
        int entries = 0;
        for (int i = 0; i < topology.cpus(); i++) {
            int flags = 1 | (i == 0 ? 2 : 0);
            t.u8(0).u8(topology.apicId(i)).u8(0x14).u8(flags).u32(cpuSignature).u32(cpuFeatures).zeros(8);
            entries++;
        }
        t.u8(1).u8(0).ascii("ISA", 6, ' ');
        entries++;
        int ioapic = ioapicId();
        t.u8(2).u8(ioapic).u8(0x11).u8(1).u32(MemoryLayout.IOAPIC_BASE);
        entries++;
        t.u8(3).u8(3).u16(0).u8(0).u8(0).u8(ioapic).u8(0); // ExtINT from the 8259 on pin 0
        entries++;
        for (int irq = 0; irq < 16; irq++) {
            if (irq == 2) {
                continue; // the cascade; its pin carries IRQ 0
            }
            t.u8(3).u8(0).u16(0).u8(0).u8(irq).u8(ioapic).u8(irq == 0 ? 2 : irq);
            entries++;
        }
        t.u8(4).u8(3).u16(0).u8(0).u8(0).u8(0xff).u8(0); // LINT0: ExtINT
        t.u8(4).u8(1).u16(0).u8(0).u8(0).u8(0xff).u8(1); // LINT1: NMI
        entries += 2;
        byte[] table = t.build();
        TableBuilder.put(table, 4, table.length, 2);
        TableBuilder.put(table, 34, entries, 2);
        TableBuilder.checksum(table, 7, 0, table.length);

        byte[] fps = new TableBuilder().ascii("_MP_", 4, ' ').u32(config).u8(1).u8(4).u8(0).zeros(5).build();
        TableBuilder.checksum(fps, 10, 0, 16);
        byte[] out = new byte[16 + table.length];
        System.arraycopy(fps, 0, out, 0, 16);
        System.arraycopy(table, 0, out, 16, table.length);
        return out;
    }
}
