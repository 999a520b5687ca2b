package io.jvmm.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Measurement 6, memory: resident memory of {@code ./vmm serve} with no VM, and with one
 * 8-vCPU 64 MiB smp-work VM less the Rss of the guest RAM mapping, against QEMU running the same
 * VM less its guest RAM mapping's Rss (both from /proc/PID/smaps); then the service's Rss over
 * hundreds of VM lifetimes ({@link MemoryCycles}), also under other JIT configurations.
 */
final class MemoryBench {
    static final long RAM_KB = 64 * 1024;
    static final int CPUS = 8;

    private MemoryBench() {
    }

    /**
     * Median over a few samples a second apart of (total Rss, guest RAM Rss) in kB. The guest RAM
     * is the ranges {@code ram} if given (their resident pages counted in /proc/PID/pagemap), else
     * the anonymous 64 MiB mapping if {@code hasRam}.
     */
    static long[] sample(long pid, List<Smaps.Range> ram, boolean hasRam, int samples) throws Exception {
        List<Double> total = new ArrayList<>();
        List<Double> ramKb = new ArrayList<>();
        for (int i = 0; i < samples; i++) {
            if (i > 0) {
                Thread.sleep(1000);
            }
            List<Smaps.Mapping> ms = Smaps.read(pid);
            total.add((double) Smaps.totalRssKb(ms));
            ramKb.add(guestRamKb(pid, ms, ram, hasRam));
        }
        return new long[] {(long) Stats.median(total), (long) Stats.median(ramKb)};
    }

    private static double guestRamKb(long pid, List<Smaps.Mapping> ms, List<Smaps.Range> ram, boolean hasRam)
            throws Exception {
        if (ram != null) {
            double kb = 0;
            for (Smaps.Range r : ram) {
                kb += Smaps.residentKb(pid, r);
            }
            return kb;
        }
        return hasRam ? Smaps.guestRam(ms, null, RAM_KB).rssKb() : 0.0;
    }

    static String mib(double kb) {
        return F.f(kb / 1024, 1) + " MiB";
    }

    static Section run(Env env) throws Exception {
        Section s = new Section("memory", "Memory");
        int samples = env.count(5, 2);
        long settleMs = env.count(5000, 2000);
        long[] idle;
        long[] withVm;
        long[] withTwo;
        List<Smaps.Mapping> jvmmTop;
        int cycles = env.count(500, 50);
        MemoryCycles.Curve curve;
        try (VmmService svc = VmmService.start(env, "serve-memory", null)) {
            Thread.sleep(settleMs);
            List<Smaps.Mapping> before = Smaps.read(svc.pid());
            idle = sample(svc.pid(), null, false, samples);
            String id = svc.create("smp-work", CPUS, "report_ms=1000");
            svc.awaitConsole(id, "CPUs up", Duration.ofSeconds(60));
            Thread.sleep(settleMs);
            Smaps.Range ram = Smaps.newRam(Smaps.read(svc.pid()), before, RAM_KB);
            withVm = sample(svc.pid(), List.of(ram), true, samples);
            jvmmTop = top(Smaps.read(svc.pid()), ram);
            // A second VM the same: what each further VM costs, without the one-time class loading
            // and compiled code the first one brought.
            List<Smaps.Mapping> beforeSecond = Smaps.read(svc.pid());
            String second = svc.create("smp-work", CPUS, "report_ms=1000");
            svc.awaitConsole(second, "CPUs up", Duration.ofSeconds(60));
            Thread.sleep(settleMs);
            Smaps.Range ram2 = Smaps.newRam(Smaps.read(svc.pid()), beforeSecond, RAM_KB);
            withTwo = sample(svc.pid(), List.of(ram, ram2), true, samples);
            svc.destroy(second);
            svc.destroy(id);
            curve = MemoryCycles.run(env, svc, cycles);
        }
        List<MemoryCycles.Curve> jitVariants = MemoryCycles.jitVariants(env, cycles);
        long[] qemu;
        List<Smaps.Mapping> qemuTop;
        try (QemuVm q = new QemuVm(QemuVm.command(env.guest("smp-work"), CPUS, "report_ms=1000", null),
                env.work.resolve("qemu-memory.stderr"))) {
            q.awaitSerial("CPUs up", Duration.ofSeconds(60));
            Thread.sleep(settleMs);
            qemu = sample(q.pid(), null, true, samples);
            List<Smaps.Mapping> ms = Smaps.read(q.pid());
            Smaps.Mapping qr = Smaps.guestRam(ms, null, RAM_KB);
            qemuTop = top(ms, new Smaps.Range(qr.start(), qr.end()));
        }
        // Where the service's memory goes, from the JVM's Native Memory Tracking, in a separate service
        // (NMT costs a little memory itself, so it is not the measured process).
        String nmt = "";
        try (VmmService svc = VmmService.start(env, "serve-nmt", "-XX:NativeMemoryTracking=summary")) {
            String id = svc.create("smp-work", CPUS, "report_ms=1000");
            svc.awaitConsole(id, "CPUs up", Duration.ofSeconds(60));
            Thread.sleep(settleMs);
            nmt = nmtTable(svc.jcmd("VM.native_memory", "summary", "scale=KB"));
            svc.destroy(id);
        }
        double oursVm = withVm[0] - withVm[1];
        double peerVm = qemu[0] - qemu[1];
        double firstVmKb = oursVm - idle[0];
        double perVmKb = (withTwo[0] - withTwo[1]) - oursVm;
        s.add("resident memory of ./vmm serve with no VM", idle[0] / 1024.0, null, "MiB");
        s.add("resident memory less guest RAM, one 8-vCPU 64 MiB smp-work VM (jvmm service vs QEMU)", oursVm / 1024,
                peerVm / 1024, "MiB");
        s.add("resident memory growth of the service for one 8-vCPU VM less guest RAM (vs QEMU's whole process)",
                firstVmKb / 1024, peerVm / 1024, "MiB");
        s.add("resident memory growth of the service for a second 8-vCPU VM less guest RAM (vs QEMU's whole process)",
                perVmKb / 1024, peerVm / 1024, "MiB");
        s.add("resident memory of ./vmm serve after " + cycles + " create / info registers -a / destroy cycles",
                curve.last() / 1024.0, null, "MiB");
        s.add("resident memory growth of ./vmm serve per 100 cycles from cycle " + curve.flatFrom(),
                curve.slopeKbPer100() / 1024, null, "MiB");
        s.add("resident memory of ./vmm serve " + MemoryCycles.SETTLE_MS / 1000 + " s after the " + cycles + " cycles",
                curve.settled().rssKb() / 1024.0, null, "MiB");
        for (int i = 0; i < jitVariants.size(); i++) {
            s.add("resident memory of ./vmm serve after " + cycles + " cycles, JIT " + MemoryCycles.jitName(i)
                    + " (vs the product's tiered JIT)", jitVariants.get(i).last() / 1024.0, curve.last() / 1024.0, "MiB");
        }
        Table t = new Table("process", "total Rss", "guest RAM Rss", "Rss less guest RAM");
        t.row("`./vmm serve`, no VM", mib(idle[0]), "-", mib(idle[0]));
        t.row("`./vmm serve`, one 8-vCPU 64 MiB smp-work VM", mib(withVm[0]), mib(withVm[1]), mib(oursVm));
        t.row("`./vmm serve`, two such VMs", mib(withTwo[0]), mib(withTwo[1]), mib(withTwo[0] - withTwo[1]));
        t.row("QEMU, the same VM", mib(qemu[0]), mib(qemu[1]), mib(peerVm));
        t.row("ratio jvmm / QEMU (less guest RAM)", "", "", F.ratio(oursVm / peerVm));
        s.md("Command: `bench/run` (section `memory`). Rss summed over /proc/PID/smaps, median of " + samples
                + " samples a second apart, " + settleMs / 1000 + " s after the service was ready and after the "
                + "guest printed `CPUs up`. For QEMU the guest RAM is its anonymous read-write mapping of exactly 64 MiB "
                + "(its Rss from smaps); for jvmm it is the 64 MiB range that became mapped when the VM was created "
                + "(the kernel may merge it with an adjacent JVM mapping), its resident pages counted in "
                + "/proc/PID/pagemap.");
        s.md(t.markdown());
        s.md("Where the memory goes. The service is a JVM running Quarkus, and almost all of its Rss is there with no "
                + "VM at all (" + mib(idle[0]) + "): the CDS archive and `libjvm.so` text (about 22 MiB together), "
                + "metaspace for the classes of Quarkus, Vert.x, Netty, Jackson, Micrometer and jvmm, the JIT's code "
                + "cache and compiler arenas, and the Java heap, which `./vmm` starts at 8 MiB and lets give back "
                + "what a burst took (`-Xms8m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30`; the service section says what "
                + "the JVM's defaults held). The first 8-vCPU VM adds " + mib(firstVmKb) + " less guest RAM, the classes and compiled code of "
                + "the VM paths included; a second one " + mib(perVmKb) + " (eight vCPU threads and their stacks, "
                + "the `kvm_run` pages, the console buffer, meters and the device model), against "
                + mib(peerVm) + " for a whole QEMU process, whose own fixed cost is its binary (about 9 MiB), its "
                + "heap, SeaBIOS and option ROM copies, and the default VGA card's video memory. A service that owns "
                + "many VMs pays the JVM's fixed cost once; per VM jvmm is the smaller of the two.");
        s.md(MemoryCycles.markdown(curve, cycles, jitVariants));
        boolean perVmMet = perVmKb <= 5 * 1024;
        boolean cyclesMet = curve.last() <= 96 * 1024 && curve.slopeKbPer100() <= 1024;
        s.md("Targets: each 8-vCPU VM adds at most 5 MiB to the service, less guest RAM (judged on the second "
                + "VM; the first also brings the code of the VM paths): " + F.verdict(perVmMet) + " (" + mib(perVmKb)
                + "; the first " + mib(firstVmKb) + "). After 500 cycles at most 96 MiB, and flat from cycle 100 on (at most "
                + "1 MiB per 100 cycles): " + F.verdict(cyclesMet) + " (" + mib(curve.last()) + " after " + cycles
                + ", " + mib(curve.slopeKbPer100()) + " per 100 cycles).");
        s.target("service memory per 8-vCPU VM, less guest RAM <= 5 MiB", perVmMet, mib(perVmKb) + " (the first VM "
                + mib(firstVmKb) + ")");
        s.target("service memory after 500 create / info registers -a / destroy cycles <= 96 MiB, flat from 100",
                cyclesMet, mib(curve.last()) + " after " + cycles + " cycles, " + mib(curve.slopeKbPer100())
                        + " per 100 cycles from cycle " + curve.flatFrom());
        s.md("The service's memory by JVM category (Native Memory Tracking, committed, in a second service "
                + "started with `-XX:NativeMemoryTracking=summary` and running the same VM; committed is an upper "
                + "bound of resident):\n\n" + nmt);
        s.md("Largest mappings of the service with the VM (Rss):\n\n" + topTable(jvmmTop));
        s.md("Largest mappings of QEMU (Rss):\n\n" + topTable(qemuTop));
        return s;
    }

    /** The categories of a VM.native_memory summary with their committed kB, largest first. */
    static String nmtTable(String summary) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                "-\\s+([A-Za-z][A-Za-z ]*?) \\(reserved=(\\d+)KB, committed=(\\d+)KB\\)").matcher(summary);
        List<long[]> rows = new ArrayList<>();
        List<String> names = new ArrayList<>();
        while (m.find()) {
            names.add(m.group(1).trim());
            rows.add(new long[] {Long.parseLong(m.group(3)), names.size() - 1});
        }
        rows.sort((a, b) -> Long.compare(b[0], a[0]));
        java.util.regex.Matcher total = java.util.regex.Pattern.compile("Total: reserved=(\\d+)KB, committed=(\\d+)KB")
                .matcher(summary);
        Table t = new Table("JVM category", "committed");
        if (total.find()) {
            t.row("**total**", mib(Long.parseLong(total.group(2))));
        }
        for (long[] r : rows) {
            if (r[0] >= 1024) {
                t.row(names.get((int) r[1]), mib(r[0]));
            }
        }
        return t.markdown();
    }

    static List<Smaps.Mapping> top(List<Smaps.Mapping> ms, Smaps.Range ram) {
        return ms.stream().sorted(Comparator.comparingLong(Smaps.Mapping::rssKb).reversed()).limit(6)
                .map(m -> m.start() <= ram.start() && ram.end() <= m.end() ? new Smaps.Mapping(m.start(), m.end(),
                        m.perms(), m.sizeKb() == RAM_KB ? "(guest RAM)" : "(includes the guest RAM)", m.sizeKb(),
                        m.rssKb()) : m).toList();
    }

    static String topTable(List<Smaps.Mapping> ms) {
        Table t = new Table("mapping", "perms", "size", "Rss");
        for (Smaps.Mapping m : ms) {
            t.row(m.name().isEmpty() ? "(anonymous)" : m.name().startsWith("(") ? m.name() : "`" + m.name() + "`", m.perms(), mib(m.sizeKb()), mib(m.rssKb()));
        }
        return t.markdown();
    }
}
