package io.jvmm.core.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jvmm.core.boot.BzImage;
import io.jvmm.core.boot.KernelBootLayout;
import io.jvmm.core.boot.KernelImages;
import io.jvmm.core.boot.PvhImage;
import io.jvmm.core.firmware.CpuModel;
import io.jvmm.core.memory.MemoryLayout;
import io.jvmm.core.testing.DistributionKernel;
import io.jvmm.core.testing.KernelLog;
import io.jvmm.core.testing.Qemu;
import io.jvmm.core.testing.TestGuests;
import io.jvmm.core.vcpu.VcpuSnapshot;
import io.jvmm.kvm.testing.RequiresKvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Debian's stock kernel booted by jvmm, with the kernel's own log as the judge of the machine jvmm
 * builds (e820, ACPI tables, MADT, IOAPIC, PM timer, timer routing, CPU count), and QEMU booting
 * the same kernel with the same flags as the reference. Every log is kept under
 * target/linux-boot/. The differences that come from QEMU's firmware and devices are listed in
 * {@link #QEMU_ONLY} and {@link #JVMM_ONLY}, each with its reason (docs/linux-boot.md explains them).
 *
 * <p>On a PVM host the kernel stops early (an emulation failure on int3, FIELD-NOTES section 8), and
 * both VMMs end there; with hardware KVM both run to the panic for want of a root file system, which
 * {@code panic=-1} and {@code -no-reboot} turn into the end of the run.
 *
 * <p>Each boot keeps about one core busy (the bootstrap CPU: none of these runs reaches the
 * kernel's SMP bring-up on a PVM host), so the tests run two at a time
 * (each is {@code @Execution(CONCURRENT)}; the class itself runs alone, as every test class does:
 * src/test/resources/junit-platform.properties), the longest first: the four-CPU boot under jvmm
 * and then QEMU takes about as long as all the others together.
 */
@RequiresKvm
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LinuxBootTest {
    static final long RAM = 512L << 20;
    static final String APPEND = "console=ttyS0 noxsave earlyprintk=ttyS0 panic=-1";
    static final String CPU = "host,-cx16";
    /** The budget per boot: QEMU's log on a PVM host ends in about 70 s ({@code -Djvmm.test.linux-budget-s}). */
    static final int BUDGET_S = Integer.getInteger("jvmm.test.linux-budget-s", 150);
    static final Path LOGS = Path.of("target", "linux-boot");
    /** The CPU count and three lines after it ('.' would stop at the console's CR). */
    static final Pattern THREE_LINES_AFTER_ALLOWING = Pattern.compile("smpboot: Allowing[^\\n]*\\n([^\\n]*\\n){3}");

    /** Line classes (prefixes) only QEMU's log has, and why (docs/linux-boot.md lists the same). */
    static final Map<String, String> QEMU_ONLY = Map.ofEntries(
            Map.entry("SMBIOS", "SeaBIOS's SMBIOS tables; jvmm has no SMBIOS"),
            Map.entry("DMI:", "SeaBIOS's SMBIOS tables"),
            Map.entry("ACPI: RSDT", "SeaBIOS's RSDP is revision 0, with an RSDT only; jvmm's is revision 2, with an XSDT"),
            Map.entry("ACPI: HPET", "QEMU's HPET; jvmm has none"),
            Map.entry("ACPI: Reserving HPET", "QEMU's HPET"),
            Map.entry("hpet", "QEMU's HPET"),
            Map.entry("clocksource: hpet", "QEMU's HPET"),
            Map.entry("ACPI: WAET", "QEMU's Windows ACPI Emulated devices table"),
            Map.entry("ACPI: Reserving WAET", "QEMU's WAET"),
            Map.entry("TSC deadline", "QEMU's -cpu host turns the TSC-deadline timer on; jvmm's with -cpu "
                    + "host,+tsc-deadline, since without it Linux keeps the PIT and checks its IOAPIC routing (..TIMER)"),
            Map.entry("On node # zone DMA32", "SeaBIOS reserves the top pages of RAM for its tables (a hole in DMA32)"),
            Map.entry("e820: update", "SeaBIOS's e820 ranges"),
            Map.entry("e820: remove", "SeaBIOS's e820 ranges"),
            Map.entry("ACPI: PCI", "QEMU's PCI host bridge and its interrupt links in the DSDT; jvmm has no PCI"),
            Map.entry("PCI", "QEMU's PCI bus"),
            Map.entry("pci", "QEMU's PCI devices"),
            Map.entry("ACPI: _OSC", "QEMU's DSDT methods"),
            Map.entry("ACPI: Enabled", "QEMU's GPE blocks"),
            Map.entry("ata", "QEMU's IDE controller"),
            Map.entry("scsi", "QEMU's IDE controller"),
            Map.entry("Floppy", "QEMU's floppy controller"),
            Map.entry("rtc_cmos", "QEMU's DSDT lists the RTC as a PNP device"),
            Map.entry("pnp", "QEMU's DSDT lists PNP devices"),
            Map.entry("Transient Scheduler Attacks", "QEMU 7.2 does not pass CPUID 0x80000021 ECX (TSA_SQ_NO, "
                    + "TSA_L1_NO), so its guest on an AMD Zen host assumes the flaw; jvmm passes what KVM reports"),
            Map.entry("fbcon", "QEMU's VGA"),
            Map.entry("vgaarb", "QEMU's VGA"));

    /** Line classes only jvmm's log has, and why. */
    static final Map<String, String> JVMM_ONLY = Map.of(
            "DMI not", "no SMBIOS tables: Linux says there is no DMI",
            "ACPI: XSDT", "jvmm's RSDP is revision 2, with an XSDT; SeaBIOS's is revision 0",
            "CPU MTRRs", "jvmm enables the MTRRs write-back with no variable ranges (as Firecracker); SeaBIOS sets one "
                    + "for the PCI hole");

    private static Path vmlinux() throws Exception {
        Optional<Path> bz = DistributionKernel.bzImage();
        assumeTrue(bz.isPresent(), DistributionKernel.MISSING);
        return DistributionKernel.vmlinux(bz.get());
    }

    /** Boots {@code kernel} under jvmm until it ends, a line matches {@code stopAt}, or the budget. */
    static KernelLog bootJvmm(KernelImages.Kernel kernel, String smp, String append, Pattern stopAt, String logName)
            throws Exception {
        return bootJvmm(kernel, smp, append, stopAt, logName, BUDGET_S, m -> { });
    }

    /** What a test does with the machine once it has started, before the boot is watched. */
    interface WhileRunning {
        void accept(Machine m) throws Exception;
    }

    /** As above, with {@code budgetS} seconds counted after {@code first} has had the started machine. */
    static KernelLog bootJvmm(KernelImages.Kernel kernel, String smp, String append, Pattern stopAt, String logName,
                              long budgetS, WhileRunning first) throws Exception {
        TestGuests.Console console = new TestGuests.Console();
        MachineConfig config = MachineConfig.builder(kernel).topology(SmpTopology.parse(smp)).memorySize(RAM)
                .cpuModel(CpuModel.parse(CPU)).commandLine(append).serial(console).noReboot(true)
                .vcpuTimeoutMs(20_000).build();
        long t0 = System.nanoTime();
        MachineExit exit;
        try (Machine m = Machine.create(config)) {
            m.start();
            first.accept(m);
            long deadline = System.nanoTime() + budgetS * 1_000_000_000L;
            exit = null;
            while (exit == null && System.nanoTime() < deadline
                    && (stopAt == null || !stopAt.matcher(console.text()).find())) {
                exit = m.awaitExit(200);
            }
        }
        String text = console.text();
        Files.createDirectories(LOGS);
        Files.writeString(LOGS.resolve(logName), text + "\n# jvmm: " + (exit == null ? "stopped by the test"
                : exit.kind() + ": " + exit.reason()) + " after " + (System.nanoTime() - t0) / 1_000_000 + " ms\n");
        return new KernelLog(text);
    }

    private static PvhImage pvh(Path vmlinux) throws Exception {
        return PvhImage.parse(vmlinux.toString(), Files.readAllBytes(vmlinux));
    }

    @Execution(ExecutionMode.CONCURRENT)
    @Test
    @Order(1)
    void pvhAtFourCpusMatchesTheConfigurationAndQemusLog() throws Exception {
        Path vmlinux = vmlinux();
        String qemuCause = Qemu.unavailabilityCause();
        assumeTrue(qemuCause == null, qemuCause);
        KernelLog jvmm = bootJvmm(new KernelImages.PvhKernel(pvh(vmlinux)), "4", APPEND, null, "jvmm-pvh-4.log");
        Qemu.Result q = Qemu.runKernel(vmlinux, "4", (RAM >> 20) + "M", CPU + ",-arch-capabilities", APPEND,
                BUDGET_S, null);
        Files.writeString(LOGS.resolve("qemu-pvh-4.log"), q.output());
        KernelLog qemu = new KernelLog(q.output());

        assertTrue(jvmm.has("smpboot: Allowing 4 CPUs, 0 hotplug CPUs"), "CPU count:\n" + tail(jvmm));
        assertEquals(RAM - (MemoryLayout.HIGH_RAM_START - MemoryLayout.LOW_RAM_END), jvmm.e820UsableBytes(),
                "usable e820 RAM:\n" + String.join("\n", jvmm.matching("BIOS-e820")));
        for (String table : List.of("RSDP", "XSDT", "FACP", "DSDT", "FACS", "APIC")) {
            assertTrue(jvmm.has("ACPI: " + table + " 0x"), "ACPI table " + table + " not listed:\n"
                    + String.join("\n", jvmm.matching("^ACPI")));
        }
        assertTrue(jvmm.has("IOAPIC\\[0\\]: apic_id \\d+, version \\d+, address 0xfec00000, GSI 0-23"), tail(jvmm));
        assertTrue(jvmm.has("ACPI: Using ACPI \\(MADT\\) for SMP configuration information"), tail(jvmm));
        assertTrue(jvmm.has("ACPI: PM-Timer IO Port: 0x608"), tail(jvmm));
        assertTrue(jvmm.has("printk: console \\[ttyS0\\] enabled"), tail(jvmm));
        assertTrue(jvmm.has("\\.\\.TIMER: vector=0x30 apic1=0 pin1=2"), "IOAPIC timer check:\n" + tail(jvmm));

        List<String> newTrouble = new ArrayList<>();
        Set<String> qemuTrouble = qemu.trouble().stream().map(KernelLog::classOf).collect(Collectors.toSet());
        for (String t : jvmm.trouble()) {
            if (!qemuTrouble.contains(KernelLog.classOf(t))) {
                newTrouble.add(t);
            }
        }
        assertTrue(newTrouble.isEmpty(), "lines QEMU's log lacks: " + newTrouble);
        assertTrue(jvmm.lines().contains(qemu.last()) || qemu.last().isEmpty(),
                "jvmm did not reach QEMU's last line '" + qemu.last() + "'; jvmm's ends:\n" + tail(jvmm));

        // Compare what both logs cover: jvmm's up to QEMU's last line (if jvmm got further, the rest has no peer).
        int common = jvmm.lines().lastIndexOf(qemu.last()) + 1;
        KernelLog jvmmCommon = common > 0 ? jvmm.prefix(common) : jvmm;
        Set<String> onlyQemu = unexplained(qemu.classes(), jvmmCommon.classes(), QEMU_ONLY);
        Set<String> onlyJvmm = unexplained(jvmmCommon.classes(), qemu.classes(), JVMM_ONLY);
        Files.writeString(LOGS.resolve("classes-pvh-4.txt"), "only QEMU: " + onlyQemu + "\nonly jvmm: " + onlyJvmm
                + "\n");
        assertTrue(onlyQemu.isEmpty(), "line classes only QEMU's log has, unexplained: " + onlyQemu);
        assertTrue(onlyJvmm.isEmpty(), "line classes only jvmm's log has, unexplained: " + onlyJvmm);
    }

    /** Classes of {@code mine} that {@code theirs} lacks and no prefix of {@code explained} covers. */
    static Set<String> unexplained(Set<String> mine, Set<String> theirs, Map<String, String> explained) {
        Set<String> out = new LinkedHashSet<>();
        for (String c : mine) {
            if (!theirs.contains(c) && explained.keySet().stream().noneMatch(c::startsWith)) {
                out.add(c);
            }
        }
        return out;
    }

    @Execution(ExecutionMode.CONCURRENT)
    @ParameterizedTest(name = "-smp {0}")
    @ValueSource(strings = {"1", "2", "8", "32"})
    void pvhSeesTheConfiguredCpusInTheMadt(String smp) throws Exception {
        Path vmlinux = vmlinux();
        int n = Integer.parseInt(smp);
        KernelLog log = bootJvmm(new KernelImages.PvhKernel(pvh(vmlinux)), smp, APPEND,
                THREE_LINES_AFTER_ALLOWING, "jvmm-pvh-" + smp + ".log");
        assertTrue(log.has("smpboot: Allowing " + n + " CPUs, 0 hotplug CPUs"), "CPU count:\n" + tail(log));
        assertTrue(log.has("ACPI: Using ACPI \\(MADT\\) for SMP configuration information"), tail(log));
        assertEquals(RAM - (MemoryLayout.HIGH_RAM_START - MemoryLayout.LOW_RAM_END), log.e820UsableBytes());
        assertTrue(log.trouble().isEmpty(), "trouble: " + log.trouble());
    }

    @Execution(ExecutionMode.CONCURRENT)
    @Test
    void withAcpiOffTheMpTableGivesTheSameCpus() throws Exception {
        Path vmlinux = vmlinux();
        KernelLog log = bootJvmm(new KernelImages.PvhKernel(pvh(vmlinux)), "8,sockets=2,cores=2,threads=2",
                APPEND + " acpi=off", THREE_LINES_AFTER_ALLOWING, "jvmm-pvh-8-mptable.log");
        assertTrue(log.has("Intel MultiProcessor Specification v1\\.4"), tail(log));
        assertTrue(log.has("smpboot: Allowing 8 CPUs, 0 hotplug CPUs"), "CPU count:\n" + tail(log));
        assertTrue(log.trouble().isEmpty(), "trouble: " + log.trouble());
    }

    /**
     * The host's KVM is PVM, whose instruction emulator runs guest kernel code at a few million
     * instructions a second: the stock kernel's XZ decompressor alone then takes longer than 15
     * minutes (measured: no output in 900 s), where hardware KVM takes seconds.
     */
    static boolean pvmHost() {
        return Files.isDirectory(Path.of("/sys/module/kvm_pvm"));
    }

    /**
     * A bzImage entered as the boot protocol says runs its own decompressor: 10 s after the start,
     * vCPU 0 is in long mode (entered at startup_64) at an address inside the memory the image
     * claims (the loaded image and the area it decompresses into), with the machine still
     * running. Where the host gets the kernel decompressed within the budget (hardware KVM), its
     * version and command-line lines must follow; only on a PVM host may they be missing.
     */
    @Execution(ExecutionMode.CONCURRENT)
    @Test
    void bzImageRunsItsDecompressorAndPrintsItsVersionAndCommandLine() throws Exception {
        Optional<Path> bz = DistributionKernel.bzImage();
        assumeTrue(bz.isPresent(), DistributionKernel.MISSING);
        BzImage image = BzImage.parse(bz.get().toString(), Files.readAllBytes(bz.get()));
        KernelLog log = bootJvmm(new KernelImages.BzImageKernel(image), "2", APPEND,
                Pattern.compile("Command line: [^\\n]*\\n"), "jvmm-bzimage-2.log", pvmHost() ? 10 : BUDGET_S, m -> {
                    Thread.sleep(10_000);
                    VcpuSnapshot cpu0 = m.readRegisters(RegisterRead.cpu(0)).get(0);
                    assertTrue(m.state().isLive(), "the kernel ended its own run: " + m.exitFuture().getNow(null));
                    assertTrue(cpu0.sregs().longMode(), "vcpu-0 is not in long mode: EFER=0x"
                            + Long.toHexString(cpu0.sregs().efer()));
                    long rip = cpu0.regs().rip();
                    assertTrue(rip >= KernelBootLayout.KERNEL_LOAD && rip < image.end(), String.format(
                            "vcpu-0 at RIP 0x%x, outside the kernel's memory [0x%x, 0x%x)", rip,
                            KernelBootLayout.KERNEL_LOAD, image.end()));
                });
        if (pvmHost() && !log.has("^Linux version ")) {
            System.out.println("bzImage: decompressor running in long mode; no kernel line within the budget (PVM)");
            return;
        }
        assertTrue(log.has("^Linux version "), "no 'Linux version' line:\n" + tail(log));
        assertTrue(log.has("^Command line: " + Pattern.quote(APPEND) + "$"), tail(log));
    }

    private static String tail(KernelLog log) {
        List<String> l = log.lines();
        return String.join("\n", l.subList(Math.max(0, l.size() - 25), l.size()));
    }
}
