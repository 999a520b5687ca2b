package io.jvmm.core.firmware;

import io.jvmm.core.devices.AcpiPm;
import io.jvmm.core.devices.AcpiPmTimer;
import io.jvmm.core.devices.CmosRtc;
import io.jvmm.core.devices.ResetControl;
import io.jvmm.core.machine.SmpTopology;
import io.jvmm.core.memory.MemoryLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * The ACPI tables of a machine: RSDP (revision 2, in the firmware area), RSDT and XSDT, FADT
 * (revision 3) pointing at the VMM's PM registers, PM timer, reset register (0xCF9) and RTC
 * century register, and at a FACS and a DSDT ({@code \_S5} and a processor device per CPU), and a
 * MADT with every CPU (present ones enabled), the IOAPIC, the ISA overrides and the LINT1 NMI
 * wiring.
 *
 * <p>{@link #build(long)} lays the tables out from a base address and returns the image to copy
 * there; the RSDP comes first, 16-byte aligned, so guests find it by scanning 0xE0000-0xFFFFF.
 */
public final class AcpiTables {
    static final String OEM_ID = "JVMM  ";
    static final String OEM_TABLE_ID = "JVMMTBL ";
    /** SCI interrupt: ISA IRQ 9, level-triggered, active high. */
    static final int SCI_IRQ = 9;
    private static final int HEADER = 36;
    /** The _HID of an ACPI processor device. */
    static final String PROCESSOR_HID = "ACPI0007";
    /** _STA: present, enabled, shown in the UI, functioning. */
    static final int STA_PRESENT = 0xf;
    /** FADT IAPC_BOOT_ARCH: LEGACY_DEVICES (ISA devices such as the RTC) and 8042 (the keyboard controller). */
    static final int IAPC_LEGACY_DEVICES_8042 = 0x3;
    /**
     * FADT flags: WBINVD, PROC_C1, SLP_BUTTON (no fixed-feature sleep button), TMR_VAL_EXT,
     * RESET_REG_SUP; PWR_BUTTON clear: the power button is the fixed feature in PM1 (AcpiPm).
     */
    static final int FADT_FLAGS = 0x1 | 0x4 | 0x20 | 0x100 | 0x400;

    private final SmpTopology topology;

    /** Tables for {@code topology}. */
    public AcpiTables(SmpTopology topology) {
        this.topology = topology;
    }

    /** A laid-out set of tables: bytes to copy to {@code base}, and the address of each table. */
    public record Image(long base, byte[] bytes, long rsdp, long rsdt, long xsdt, long fadt, long facs, long dsdt,
                        long madt) {
    }

    /** Lays the tables out starting at {@code base} (16-byte aligned, inside the firmware area). */
    public Image build(long base) {
        long rsdp = base;
        long rsdt = align(rsdp + 36, 16);
        long xsdt = align(rsdt + HEADER + 8, 16);
        long facs = align(xsdt + HEADER + 16, 64);
        long fadt = align(facs + 64, 16);
        byte[] dsdtBytes = dsdt();
        long dsdt = align(fadt + 244, 16);
        long madt = align(dsdt + dsdtBytes.length, 16);
        byte[] madtBytes = madt();
        int total = (int) (madt + madtBytes.length - base);
        byte[] img = new byte[total];
        place(img, base, rsdp, rsdp(rsdt, xsdt));
        place(img, base, rsdt, rsdt(fadt, madt));
        place(img, base, xsdt, xsdt(fadt, madt));
        place(img, base, facs, facs());
        place(img, base, fadt, fadt(facs, dsdt));
        place(img, base, dsdt, dsdtBytes);
        place(img, base, madt, madtBytes);
        return new Image(base, img, rsdp, rsdt, xsdt, fadt, facs, dsdt, madt);
    }

    private static void place(byte[] img, long base, long at, byte[] table) {
        System.arraycopy(table, 0, img, (int) (at - base), table.length);
    }

    private static long align(long v, long a) {
        return (v + a - 1) & -a;
    }

    private static TableBuilder header(String signature, int revision) {
        return new TableBuilder().ascii(signature, 4, ' ').u32(0).u8(revision).u8(0).ascii(OEM_ID, 6, ' ')
                .ascii(OEM_TABLE_ID, 8, ' ').u32(1).ascii("JVMM", 4, ' ').u32(1);
    }

    /** Fills in the length and checksum of a table built on {@link #header}. */
    private static byte[] finish(TableBuilder t) {
        byte[] b = t.build();
        TableBuilder.put(b, 4, b.length, 4);
        TableBuilder.checksum(b, 9, 0, b.length);
        return b;
    }

    private static byte[] rsdp(long rsdt, long xsdt) {
        byte[] b = new TableBuilder().ascii("RSD PTR ", 8, ' ').u8(0).ascii(OEM_ID, 6, ' ').u8(2).u32(rsdt).u32(36)
                .u64(xsdt).u8(0).zeros(3).build();
        TableBuilder.checksum(b, 8, 0, 20);
        TableBuilder.checksum(b, 32, 0, 36);
        return b;
    }

    private static byte[] rsdt(long fadt, long madt) {
        return finish(header("RSDT", 1).u32(fadt).u32(madt));
    }

    private static byte[] xsdt(long fadt, long madt) {
        return finish(header("XSDT", 1).u64(fadt).u64(madt));
    }

    private static byte[] facs() {
        return new TableBuilder().ascii("FACS", 4, ' ').u32(64).u32(0).u32(0).u32(0).u32(0).u64(0).u8(1).zeros(31)
                .build();
    }

    /** Generic Address Structure for an I/O port register of {@code bits} bits. */
    private static TableBuilder gas(TableBuilder t, int port, int bits) {
        if (port == 0) {
            return t.zeros(12);
        }
        int access = bits == 8 ? 1 : bits == 16 ? 2 : 3;
        return t.u8(1).u8(bits).u8(0).u8(access).u64(port);
    }

    private static byte[] fadt(long facs, long dsdt) {
        TableBuilder t = header("FACP", 3);
        t.u32(facs).u32(dsdt).u8(0).u8(0).u16(SCI_IRQ).u32(0) // SMI_CMD 0: no SMM, ACPI always enabled
                .u8(0).u8(0).u8(0).u8(0)
                .u32(AcpiPm.PM1_EVT).u32(0).u32(AcpiPm.PM1_CNT).u32(0).u32(0).u32(AcpiPmTimer.PORT).u32(0).u32(0)
                .u8(4).u8(2).u8(0).u8(4) // PM1_EVT_LEN, PM1_CNT_LEN, PM2_CNT_LEN, PM_TMR_LEN
                .u8(0).u8(0).u8(0).u8(0)
                .u16(0x65).u16(0x3e9) // C2 and C3 latencies above the limits: not supported
                .u16(0).u16(0).u8(0).u8(0).u8(0).u8(0).u8(CmosRtc.CENTURY) // ..., CENTURY: the RTC's register
                .u16(IAPC_LEGACY_DEVICES_8042)
                .u8(0)
                .u32(FADT_FLAGS);
        gas(t, ResetControl.PORT, 8).u8(ResetControl.RESET_VALUE).zeros(3); // RESET_REG, RESET_VALUE, reserved
        // X_FIRMWARE_CTRL stays 0: ACPI allows one FACS address, and the 32-bit FIRMWARE_CTRL has it (as
        // QEMU's FADT); with both set Linux lists and reserves the FACS twice.
        t.u64(0).u64(dsdt);
        gas(t, AcpiPm.PM1_EVT, 32);
        gas(t, 0, 0);
        gas(t, AcpiPm.PM1_CNT, 16);
        gas(t, 0, 0);
        gas(t, 0, 0);
        gas(t, AcpiPmTimer.PORT, 32);
        gas(t, 0, 0);
        gas(t, 0, 0);
        return finish(t);
    }

    /**
     * The DSDT: {@code Name (\_S5, Package () {SLP_TYP, SLP_TYP, 0, 0})}, so ACPI power-off works,
     * and in {@code \_SB} a processor device per MADT entry ({@code Device (Cnnn)}, _HID ACPI0007,
     * _UID the MADT's processor UID, _STA present and enabled or, for a CPU that is not there,
     * absent).
     */
    private byte[] dsdt() {
        int slp = AcpiPm.SLP_TYP_S5;
        byte[][] cpus = new byte[topology.maxCpus()][];
        for (int i = 0; i < cpus.length; i++) {
            cpus[i] = Aml.device(processorName(i),
                    Aml.name("_HID", Aml.string(PROCESSOR_HID)),
                    Aml.name("_UID", Aml.integer(i)),
                    Aml.name("_STA", Aml.integer(i < topology.cpus() ? STA_PRESENT : 0)));
        }
        return finish(header("DSDT", 2).bytes(Aml.name("_S5_", Aml.packageOf(slp, slp, 0, 0)))
                .bytes(Aml.scope("\\_SB_", cpus)));
    }

    /** The DSDT name of the processor device with MADT UID {@code uid}: C000, C001, ... CFFF. */
    static String processorName(int uid) {
        if (uid < 0 || uid > 0xfff) {
            throw new IllegalArgumentException("processor UID out of range: " + uid);
        }
        return String.format("C%03X", uid);
    }

    private byte[] madt() {
        TableBuilder t = header("APIC", 3).u32(MemoryLayout.LAPIC_BASE).u32(1); // PCAT_COMPAT: 8259s present
        for (int i = 0; i < topology.maxCpus(); i++) {
            t.u8(0).u8(8).u8(i).u8(topology.apicId(i)).u32(i < topology.cpus() ? 1 : 0);
        }
        t.u8(1).u8(12).u8(0).u8(0).u32(MemoryLayout.IOAPIC_BASE).u32(0);
        t.u8(2).u8(10).u8(0).u8(0).u32(2).u16(0); // ISA IRQ 0 -> GSI 2
        t.u8(2).u8(10).u8(0).u8(SCI_IRQ).u32(SCI_IRQ).u16(0xd); // SCI: level, active high
        t.u8(4).u8(6).u8(0xff).u16(0).u8(1); // NMI on LINT1 of every processor
        return finish(t);
    }

    /** The APIC IDs the MADT lists as enabled, in table order (for tests). */
    public List<Integer> enabledApicIds() {
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < topology.cpus(); i++) {
            ids.add(topology.apicId(i));
        }
        return ids;
    }
}
