package io.jvmm.core.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** How the Linux-boot tests read a kernel log: timestamps, classes, trouble, e820. */
class KernelLogTest {
    private static final String LOG = String.join("\r\n",
            "SeaBIOS (version 1.16.2)",
            "[    0.000000] BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable",
            "[    0.000000] BIOS-e820: [mem 0x0000000000100000-0x000000001fffffff] usable",
            "[    0.370951] ACPI: RSDP 0x00000000000E0000 000024 (v02 JVMM  )",
            "[    3.175520] Memory: 207552K/523896K available (14343K kernel code)",
            "[    3.883980] Speculative Return Stack Overflow: WARNING: See https://kernel.org/doc/srso.html",
            "[    4.000000] ACPI BIOS Error (bug): Could not resolve symbol [\\_SB.PCI0], AE_NOT_FOUND",
            "[    5.981738] smpboot: Total of 4 processors activated (16768.16 BogoMIPS)", "");

    @Test
    void linesLoseTheirTimestampsAndNonKernelLinesAreLeftOut() {
        KernelLog log = new KernelLog(LOG);
        assertEquals(7, log.lines().size());
        assertEquals("smpboot: Total of 4 processors activated (16768.16 BogoMIPS)", log.last());
    }

    @Test
    void classesLeaveNumbersOut() {
        assertEquals("ACPI: RSDP", KernelLog.classOf("ACPI: RSDP 0x00000000000E0000 000024 (v02 JVMM  )"));
        assertEquals("Memory: #", KernelLog.classOf("Memory: 207552K/523896K available"));
        assertEquals("x86/fpu: x87", KernelLog.classOf("x86/fpu: x87 FPU will use FXSAVE"));
        assertEquals("On node # zone DMA32: #", KernelLog.classOf("On node 0, zone DMA32: 21 pages in unavailable ranges"));
        assertEquals("[mem #", KernelLog.classOf("[mem 0x20000000-0xfebfffff] available for PCI devices"));
    }

    @Test
    void troubleLeavesOutReportsOnTheHostCpusFlaws() {
        assertEquals(List.of("ACPI BIOS Error (bug): Could not resolve symbol [\\_SB.PCI0], AE_NOT_FOUND"),
                new KernelLog(LOG).trouble());
    }

    @Test
    void usableE820RamIsSummed() {
        assertEquals(0x9fc00L + (0x20000000L - 0x100000L), new KernelLog(LOG).e820UsableBytes());
    }
}
