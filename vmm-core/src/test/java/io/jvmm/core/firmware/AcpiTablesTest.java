package io.jvmm.core.firmware;

import static io.jvmm.core.firmware.Le.ascii;
import static io.jvmm.core.firmware.Le.sum;
import static io.jvmm.core.firmware.Le.u16;
import static io.jvmm.core.firmware.Le.u32;
import static io.jvmm.core.firmware.Le.u64;
import static io.jvmm.core.firmware.Le.u8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.jvmm.core.devices.AcpiPm;
import io.jvmm.core.devices.AcpiPmTimer;
import io.jvmm.core.machine.SmpTopology;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * AcpiTables parsed back as an OS would (ACPI 6.x, sections 5.2.5 - 5.2.12): find the RSDP by
 * scanning, follow RSDT/XSDT, check every checksum, decode the FADT, FACS, DSDT and the MADT's
 * interrupt controller structures.
 */
class AcpiTablesTest {
    private static final long BASE = 0xE0000;

    /** The image, and helpers that turn guest-physical addresses into offsets in it. */
    private record Parsed(SmpTopology topology, AcpiTables.Image image) {
        byte[] b() {
            return image.bytes();
        }

        int at(long address) {
            long off = address - image.base();
            assertTrue(off >= 0 && off < image.bytes().length, "0x" + Long.toHexString(address) + " is outside the image");
            return (int) off;
        }

        /** The whole table at {@code address}, after checking its length and checksum. */
        byte[] table(long address, String signature) {
            int off = at(address);
            assertEquals(signature, ascii(b(), off, 4), "signature at 0x" + Long.toHexString(address));
            int length = (int) u32(b(), off + 4);
            assertTrue(length >= 36 && off + length <= b().length, signature + " length " + length);
            assertEquals(0, sum(b(), off, length), signature + " checksum");
            return Arrays.copyOfRange(b(), off, off + length);
        }
    }

    private static Parsed build(String smp) throws Exception {
        SmpTopology t = SmpTopology.parse(smp);
        return new Parsed(t, new AcpiTables(t).build(BASE));
    }

    // ---------------------------------------------------------------- RSDP

    /** Scans for "RSD PTR " on 16-byte boundaries with a valid checksum, as an OS scans 0xE0000-0xFFFFF. */
    private static int findRsdp(byte[] b) {
        for (int off = 0; off + 36 <= b.length; off += 16) {
            if (ascii(b, off, 8).equals("RSD PTR ") && sum(b, off, 20) == 0) {
                return off;
            }
        }
        return fail("no RSDP found");
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "8,sockets=2,cores=2,threads=2", "4,maxcpus=6,sockets=1,cores=3,threads=2"})
    void rsdpIsRevision2WithBothChecksums(String smp) throws Exception {
        Parsed p = build(smp);
        byte[] b = p.b();
        int off = findRsdp(b);
        assertEquals(p.image().rsdp(), BASE + off);
        assertEquals(BASE, p.image().rsdp(), "the RSDP comes first");
        assertEquals(0, p.image().rsdp() % 16, "RSDP on a 16-byte boundary");
        assertEquals("RSD PTR ", ascii(b, off, 8));
        assertEquals(0, sum(b, off, 20), "ACPI 1.0 checksum over the first 20 bytes");
        assertEquals(0, sum(b, off, 36), "extended checksum over all 36 bytes");
        assertEquals("JVMM  ", ascii(b, off + 9, 6));
        assertEquals(2, u8(b, off + 15), "revision 2 (ACPI 2.0+)");
        assertEquals(p.image().rsdt(), u32(b, off + 16));
        assertEquals(36, u32(b, off + 20), "length");
        assertEquals(p.image().xsdt(), u64(b, off + 24));
        assertEquals(0, u8(b, off + 33) | u8(b, off + 34) | u8(b, off + 35), "reserved");
    }

    @Test
    void rsdpChecksumsAreNotTrivial() throws Exception {
        // the 20-byte checksum must be balanced by the checksum byte, not by luck
        byte[] b = build("1").b();
        byte[] copy = b.clone();
        copy[8] ^= 1;
        assertTrue(sum(copy, 0, 20) != 0);
        copy = b.clone();
        copy[32] ^= 1;
        assertTrue(sum(copy, 0, 36) != 0);
    }

    // ---------------------------------------------------------------- RSDT / XSDT

    @ParameterizedTest
    @ValueSource(strings = {"1", "8,sockets=2,cores=2,threads=2", "4,maxcpus=6,sockets=1,cores=3,threads=2"})
    void rsdtAndXsdtPointAtFadtAndMadt(String smp) throws Exception {
        Parsed p = build(smp);
        byte[] rsdt = p.table(p.image().rsdt(), "RSDT");
        assertEquals(36 + 2 * 4, rsdt.length);
        assertEquals(1, u8(rsdt, 8), "RSDT revision");
        List<String> viaRsdt = new ArrayList<>();
        for (int i = 36; i < rsdt.length; i += 4) {
            long addr = u32(rsdt, i);
            viaRsdt.add(ascii(p.b(), p.at(addr), 4));
        }
        assertEquals(List.of("FACP", "APIC"), viaRsdt);
        assertEquals(p.image().fadt(), u32(rsdt, 36));
        assertEquals(p.image().madt(), u32(rsdt, 40));

        byte[] xsdt = p.table(p.image().xsdt(), "XSDT");
        assertEquals(36 + 2 * 8, xsdt.length);
        assertEquals(1, u8(xsdt, 8), "XSDT revision");
        assertEquals(p.image().fadt(), u64(xsdt, 36));
        assertEquals(p.image().madt(), u64(xsdt, 44));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "8,sockets=2,cores=2,threads=2", "4,maxcpus=6,sockets=1,cores=3,threads=2",
        "12,sockets=2,cores=3,threads=2"})
    void everyTableHasAValidHeaderAndNoTwoOverlap(String smp) throws Exception {
        Parsed p = build(smp);
        AcpiTables.Image img = p.image();
        TreeMap<Long, Long> extents = new TreeMap<>();
        extents.put(img.rsdp(), img.rsdp() + 36);
        String[] sigs = {"RSDT", "XSDT", "FACP", "DSDT", "APIC"};
        long[] addrs = {img.rsdt(), img.xsdt(), img.fadt(), img.dsdt(), img.madt()};
        int[] revisions = {1, 1, 3, 2, 3};
        for (int i = 0; i < sigs.length; i++) {
            byte[] t = p.table(addrs[i], sigs[i]);
            assertEquals(revisions[i], u8(t, 8), sigs[i] + " revision");
            assertEquals("JVMM  ", ascii(t, 10, 6), sigs[i] + " OEM ID");
            assertEquals("JVMMTBL ", ascii(t, 16, 8), sigs[i] + " OEM table ID");
            assertEquals("JVMM", ascii(t, 28, 4), sigs[i] + " creator ID");
            extents.put(addrs[i], addrs[i] + t.length);
        }
        extents.put(img.facs(), img.facs() + 64);
        long prevEnd = 0;
        for (var e : extents.entrySet()) {
            assertTrue(e.getKey() >= prevEnd, "table at 0x" + Long.toHexString(e.getKey()) + " overlaps another");
            prevEnd = e.getValue();
        }
        assertEquals(BASE + img.bytes().length, prevEnd, "the image ends with the last table");
    }

    @Test
    void changingAByteBreaksTheTableChecksum() throws Exception {
        Parsed p = build("1");
        byte[] b = p.b();
        int off = p.at(p.image().madt());
        b[off + 40] ^= 0x10;
        assertTrue(sum(b, off, (int) u32(b, off + 4)) != 0);
    }

    @Test
    void tablesForEvenALargeMachineStayBelowTheMpTables() throws Exception {
        SmpTopology t = SmpTopology.parse("254");
        AcpiTables.Image img = new AcpiTables(t).build(BootFirmware.ACPI_BASE);
        assertTrue(BootFirmware.ACPI_BASE + img.bytes().length <= BootFirmware.MP_BASE,
                "ACPI image of " + img.bytes().length + " bytes runs into the MP tables");
    }

    @Test
    void tablesLaidOutFromAnotherBaseAreConsistent() throws Exception {
        SmpTopology t = SmpTopology.parse("8,sockets=2,cores=2,threads=2");
        long base = 0xE0010; // 16-byte but not 64-byte aligned
        AcpiTables.Image img = new AcpiTables(t).build(base);
        Parsed p = new Parsed(t, img);
        assertEquals(base, img.rsdp());
        assertEquals(0, img.facs() % 64);
        byte[] rsdt = p.table(u32(p.b(), 16), "RSDT");
        byte[] fadt = p.table(u32(rsdt, 36), "FACP");
        assertEquals("FACS", ascii(p.b(), p.at(u32(fadt, 36)), 4));
        p.table(u32(fadt, 40), "DSDT");
        p.table(u32(rsdt, 40), "APIC");
    }

    // ---------------------------------------------------------------- FADT

    private static void assertGas(byte[] t, int at, int spaceId, int bitWidth, int accessSize, long address,
                                  String what) {
        assertEquals(spaceId, u8(t, at), what + " address space");
        assertEquals(bitWidth, u8(t, at + 1), what + " bit width");
        assertEquals(0, u8(t, at + 2), what + " bit offset");
        assertEquals(accessSize, u8(t, at + 3), what + " access size");
        assertEquals(address, u64(t, at + 4), what + " address");
    }

    @Test
    void fadtPointsAtThePmRegistersOfTheDevices() throws Exception {
        Parsed p = build("8,sockets=2,cores=2,threads=2");
        byte[] f = p.table(p.image().fadt(), "FACP");
        assertEquals(244, f.length, "ACPI 2.0+ FADT length");
        assertEquals(3, u8(f, 8), "FADT revision");
        assertEquals(p.image().facs(), u32(f, 36), "FIRMWARE_CTRL");
        assertEquals(p.image().dsdt(), u32(f, 40), "DSDT");
        assertEquals(9, u16(f, 46), "SCI_INT");
        assertEquals(0, u32(f, 48), "SMI_CMD: no SMM, ACPI mode always on");
        assertEquals(0x600, u32(f, 56), "PM1a_EVT_BLK");
        assertEquals(0, u32(f, 60), "PM1b_EVT_BLK");
        assertEquals(0x604, u32(f, 64), "PM1a_CNT_BLK");
        assertEquals(0, u32(f, 68), "PM1b_CNT_BLK");
        assertEquals(0, u32(f, 72), "PM2_CNT_BLK");
        assertEquals(0x608, u32(f, 76), "PM_TMR_BLK");
        assertEquals(0, u32(f, 80), "GPE0_BLK");
        assertEquals(0, u32(f, 84), "GPE1_BLK");
        assertEquals(4, u8(f, 88), "PM1_EVT_LEN");
        assertEquals(2, u8(f, 89), "PM1_CNT_LEN");
        assertEquals(0, u8(f, 90), "PM2_CNT_LEN");
        assertEquals(4, u8(f, 91), "PM_TMR_LEN");
        assertTrue(u16(f, 96) > 100, "P_LVL2_LAT > 100: C2 not supported");
        assertTrue(u16(f, 98) > 1000, "P_LVL3_LAT > 1000: C3 not supported");
        long flags = u32(f, 112);
        assertEquals(1L << 8, flags & (1L << 8), "TMR_VAL_EXT: 32-bit PM timer");
        assertEquals(1, flags & 1, "WBINVD");
        assertEquals(1L << 10, flags & (1L << 10), "RESET_REG_SUP: RESET_REG names the reset register");
        assertEquals(0, flags & (1L << 4), "PWR_BUTTON clear: the power button is the PM1 fixed feature (AcpiPm)");
        assertEquals(1L << 5, flags & (1L << 5), "SLP_BUTTON set: there is no fixed-feature sleep button");
        assertEquals(0, flags & (1L << 20), "not a hardware-reduced platform (it has PM registers)");
        assertGas(f, 116, 1, 8, 1, 0xcf9, "RESET_REG");
        assertEquals(0x06, u8(f, 128), "RESET_VALUE: SYS_RST | RST_CPU, which resets through port 0xCF9");
        assertEquals(0x32, u8(f, 108), "CENTURY: the RTC's century register");
        assertEquals(0x3, u16(f, 109), "IAPC_BOOT_ARCH: LEGACY_DEVICES and 8042 (an i8042 is on the bus)");
        assertEquals(0, u64(f, 132), "X_FIRMWARE_CTRL: zero, since FIRMWARE_CTRL holds the FACS (ACPI: not both)");
        assertEquals(p.image().dsdt(), u64(f, 140), "X_DSDT");
        assertGas(f, 148, 1, 32, 3, 0x600, "X_PM1a_EVT_BLK");
        assertGas(f, 172, 1, 16, 2, 0x604, "X_PM1a_CNT_BLK");
        assertGas(f, 208, 1, 32, 3, 0x608, "X_PM_TMR_BLK");
        for (int empty : new int[] {160, 184, 196, 220, 232}) {
            assertArrayEquals(new byte[12], Arrays.copyOfRange(f, empty, empty + 12), "GAS at " + empty);
        }
    }

    @Test
    void fadtPortsAreTheOnesTheDevicesUse() {
        assertEquals(0x600, AcpiPm.PM1_EVT);
        assertEquals(0x604, AcpiPm.PM1_CNT);
        assertEquals(0x608, AcpiPmTimer.PORT);
    }

    // ---------------------------------------------------------------- FACS and DSDT

    @Test
    void facsIs64ByteAlignedWithItsSignature() throws Exception {
        Parsed p = build("1");
        long facs = p.image().facs();
        assertEquals(0, facs % 64, "FACS must be 64-byte aligned");
        int off = p.at(facs);
        assertEquals("FACS", ascii(p.b(), off, 4));
        assertEquals(64, u32(p.b(), off + 4));
        assertEquals(0, u32(p.b(), off + 12), "firmware waking vector");
        assertEquals(0, u32(p.b(), off + 16), "global lock");
        assertTrue(u8(p.b(), off + 32) >= 1, "FACS version");
    }

    @Test
    void dsdtDeclaresTheS5PackageWithTheSleepTypeThePmDeviceExpects() throws Exception {
        Parsed p = build("1");
        byte[] d = p.table(p.image().dsdt(), "DSDT");
        // NameOp "_S5_" PackageOp PkgLength NumElements BytePrefix 5 BytePrefix 5 ZeroOp ZeroOp
        byte[] s5 = {0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x04, 0x0a, 0x05, 0x0a, 0x05, 0x00, 0x00};
        int at = indexOf(d, s5);
        assertTrue(at >= 36, "\\_S5_ package not found in the DSDT's AML");
        // decode the package as an AML interpreter would
        int pkg = at + 5;
        assertEquals(0x12, u8(d, pkg));
        int pkgLength = u8(d, pkg + 1);
        assertEquals(0, pkgLength >> 6, "one-byte PkgLength");
        assertEquals(4, u8(d, pkg + 2), "NumElements");
        assertEquals(AcpiPm.SLP_TYP_S5, u8(d, pkg + 4), "SLP_TYPa");
        assertEquals(AcpiPm.SLP_TYP_S5, u8(d, pkg + 6), "SLP_TYPb");
        assertEquals(36, at, "\\_S5_ comes first");
        assertEquals(0x10, u8(d, pkg + 1 + pkgLength), "then Scope (\\_SB_)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "4,maxcpus=8", "8,sockets=2,cores=2,threads=2", "32", "200"})
    void dsdtHasAProcessorDevicePerMadtEntryWithItsUidAndStatus(String smp) throws Exception {
        Parsed p = build(smp);
        byte[] d = p.table(p.image().dsdt(), "DSDT");
        for (int i = 0; i < p.topology().maxCpus(); i++) {
            String name = AcpiTables.processorName(i);
            byte[] body = Aml.concat(Aml.nameString(name),
                    Aml.name("_HID", Aml.string("ACPI0007")),
                    Aml.name("_UID", Aml.integer(i)),
                    Aml.name("_STA", Aml.integer(i < p.topology().cpus() ? 0xf : 0)));
            int at = indexOf(d, body);
            assertTrue(at > 0, name + " (UID " + i + ") not found with _HID ACPI0007, _UID " + i + " and its _STA");
            assertEquals(0x5b, u8(d, at - 3), name + ": ExtOpPrefix");
            assertEquals(0x82, u8(d, at - 2), name + ": DeviceOp");
            assertEquals(body.length + 1, u8(d, at - 1), name + ": one-byte PkgLength");
        }
        int hids = 0;
        for (int i = indexOf(d, "ACPI0007".getBytes()); i >= 0; i = indexOf(d, "ACPI0007".getBytes(), i + 1)) {
            hids++;
        }
        assertEquals(p.topology().maxCpus(), hids, "one processor device per MADT entry, no more");
    }

    @Test
    void processorNamesAreValidNameSegmentsUpTo4095() {
        assertEquals("C000", AcpiTables.processorName(0));
        assertEquals("C00A", AcpiTables.processorName(10));
        assertEquals("CFFF", AcpiTables.processorName(4095));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> AcpiTables.processorName(4096));
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        return indexOf(hay, needle, 0);
    }

    private static int indexOf(byte[] hay, byte[] needle, int from) {
        for (int i = from; i + needle.length <= hay.length; i++) {
            if (Arrays.equals(hay, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        return -1;
    }

    // ---------------------------------------------------------------- MADT

    private record Entry(int type, byte[] body) {
    }

    private static List<Entry> madtEntries(byte[] madt) {
        List<Entry> out = new ArrayList<>();
        int at = 44;
        while (at < madt.length) {
            int type = u8(madt, at);
            int len = u8(madt, at + 1);
            assertTrue(len >= 2 && at + len <= madt.length, "entry at " + at + " of length " + len);
            out.add(new Entry(type, Arrays.copyOfRange(madt, at, at + len)));
            at += len;
        }
        assertEquals(madt.length, at);
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "8,sockets=2,cores=2,threads=2", "4,maxcpus=6,sockets=1,cores=3,threads=2",
        "12,sockets=2,cores=3,threads=2", "2,maxcpus=4"})
    void madtListsEveryPossibleCpuAndEnablesThePresentOnes(String smp) throws Exception {
        Parsed p = build(smp);
        SmpTopology t = p.topology();
        byte[] m = p.table(p.image().madt(), "APIC");
        assertEquals(0xFEE00000L, u32(m, 36), "local APIC address");
        assertEquals(1, u32(m, 40), "PCAT_COMPAT");
        List<Entry> lapics = madtEntries(m).stream().filter(e -> e.type() == 0).toList();
        assertEquals(t.maxCpus(), lapics.size());
        Set<Integer> ids = new HashSet<>();
        List<Integer> enabled = new ArrayList<>();
        for (int i = 0; i < lapics.size(); i++) {
            byte[] e = lapics.get(i).body();
            assertEquals(8, e.length);
            assertEquals(i, u8(e, 2), "ACPI processor UID");
            assertEquals(t.apicId(i), u8(e, 3), "APIC ID of CPU " + i);
            assertEquals(i < t.cpus() ? 1 : 0, u32(e, 4), "flags of CPU " + i);
            assertTrue(ids.add(u8(e, 3)), "duplicate APIC ID " + u8(e, 3));
            if ((u32(e, 4) & 1) != 0) {
                enabled.add(u8(e, 3));
            }
        }
        assertEquals(new AcpiTables(t).enabledApicIds(), enabled);
    }

    @Test
    void madtApicIdsOfANonPowerOfTwoTopologyHaveGaps() throws Exception {
        Parsed p = build("12,sockets=2,cores=3,threads=2");
        List<Integer> ids = madtEntries(p.table(p.image().madt(), "APIC")).stream().filter(e -> e.type() == 0)
                .map(e -> u8(e.body(), 3)).toList();
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 8, 9, 10, 11, 12, 13), ids);
    }

    @Test
    void madtOfAMachineWithHotplugSlots() throws Exception {
        Parsed p = build("4,maxcpus=6,sockets=1,cores=3,threads=2");
        List<Long> flags = madtEntries(p.table(p.image().madt(), "APIC")).stream().filter(e -> e.type() == 0)
                .map(e -> u32(e.body(), 4)).toList();
        assertEquals(List.of(1L, 1L, 1L, 1L, 0L, 0L), flags);
        assertEquals(List.of(0, 1, 2, 3), new AcpiTables(p.topology()).enabledApicIds());
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "8,sockets=2,cores=2,threads=2", "4,maxcpus=6,sockets=1,cores=3,threads=2"})
    void madtDescribesTheIoapicOverridesAndNmi(String smp) throws Exception {
        Parsed p = build(smp);
        List<Entry> entries = madtEntries(p.table(p.image().madt(), "APIC"));

        List<Entry> ioapics = entries.stream().filter(e -> e.type() == 1).toList();
        assertEquals(1, ioapics.size());
        byte[] io = ioapics.get(0).body();
        assertEquals(12, io.length);
        assertEquals(0, u8(io, 2), "IOAPIC ID: the in-kernel IOAPIC's reset ID");
        assertEquals(0, u8(io, 3), "reserved");
        assertEquals(0xFEC00000L, u32(io, 4), "IOAPIC address");
        assertEquals(0, u32(io, 8), "global system interrupt base");

        List<Entry> overrides = entries.stream().filter(e -> e.type() == 2).toList();
        assertEquals(2, overrides.size());
        byte[] timer = overrides.stream().map(Entry::body).filter(e -> u8(e, 3) == 0).findFirst().orElseThrow();
        assertEquals(10, timer.length);
        assertEquals(0, u8(timer, 2), "bus ISA");
        assertEquals(2, u32(timer, 4), "IRQ 0 -> GSI 2");
        assertEquals(0, u16(timer, 8), "conforms to the bus: edge, active high");
        byte[] sci = overrides.stream().map(Entry::body).filter(e -> u8(e, 3) == 9).findFirst().orElseThrow();
        assertEquals(10, sci.length);
        assertEquals(0, u8(sci, 2), "bus ISA");
        assertEquals(9, u32(sci, 4), "SCI stays on GSI 9");
        int flags = u16(sci, 8);
        assertEquals(1, flags & 3, "polarity: active high");
        assertEquals(3, (flags >> 2) & 3, "trigger mode: level");

        List<Entry> nmis = entries.stream().filter(e -> e.type() == 4).toList();
        assertEquals(1, nmis.size());
        byte[] nmi = nmis.get(0).body();
        assertEquals(6, nmi.length);
        assertEquals(0xff, u8(nmi, 2), "all processors");
        assertEquals(0, u16(nmi, 3), "flags: conforming");
        assertEquals(1, u8(nmi, 5), "LINT1");

        assertEquals(Set.of(0, 1, 2, 4), entries.stream().map(Entry::type).collect(java.util.stream.Collectors.toSet()),
                "no other structure types");
    }
}
