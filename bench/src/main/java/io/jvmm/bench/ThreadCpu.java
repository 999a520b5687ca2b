package io.jvmm.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * CPU time of a process's threads, from /proc/PID/task/TID/schedstat (time on a CPU, in ns), by
 * thread: as read ({@link #of}), or as the difference of two readings ({@link #minus}: a thread
 * that started in between counts whole, one that ended in between is lost), or as a sum of such
 * differences ({@link #plus}). Told apart into the vCPU threads (by name) and the rest, and the
 * rest by thread group: the name without its number ({@code vert.x-eventloop-thread-0} counts as
 * {@code vert.x-eventloop-thread}; the kernel keeps 15 characters of a name).
 */
final class ThreadCpu {
    /** jvmm names its vCPU threads {@code vcpu-N}. */
    static final Predicate<String> JVMM_VCPU = name -> name.startsWith("vcpu-");
    /** QEMU names its KVM vCPU threads {@code CPU N/KVM} (with {@code -name ...,debug-threads=on}). */
    static final Predicate<String> QEMU_VCPU = name -> name.startsWith("CPU ") && name.endsWith("/KVM");

    private record Thread(String name, long ns) {
    }

    private final Predicate<String> isVcpu;
    /** By thread id (a sum keys them by name and id, so that sums of differences stay apart). */
    private final Map<String, Thread> threads;

    private ThreadCpu(Predicate<String> isVcpu, Map<String, Thread> threads) {
        this.isVcpu = isVcpu;
        this.threads = threads;
    }

    /** No time at all, to add differences to. */
    static ThreadCpu none(Predicate<String> isVcpu) {
        return new ThreadCpu(isVcpu, Map.of());
    }

    static ThreadCpu of(long pid, Predicate<String> isVcpu) throws IOException {
        Map<String, Thread> threads = new HashMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks) {
                try {
                    String name = Files.readString(task.resolve("comm")).strip();
                    long ns = Long.parseLong(Files.readString(task.resolve("schedstat")).split(" ")[0]);
                    threads.put(task.getFileName() + " " + name, new Thread(name, ns));
                } catch (IOException | NumberFormatException e) {
                    // the thread ended while it was read
                }
            }
        }
        return new ThreadCpu(isVcpu, threads);
    }

    /** What each thread used since {@code earlier}. */
    ThreadCpu minus(ThreadCpu earlier) {
        Map<String, Thread> d = new HashMap<>();
        threads.forEach((id, t) -> {
            Thread before = earlier.threads.get(id);
            d.put(id, new Thread(t.name(), t.ns() - (before == null ? 0 : before.ns())));
        });
        return new ThreadCpu(isVcpu, d);
    }

    /** Both differences together. */
    ThreadCpu plus(ThreadCpu more) {
        Map<String, Thread> sum = new HashMap<>(threads);
        more.threads.forEach((id, t) -> sum.merge(id, t, (a, b) -> new Thread(a.name(), a.ns() + b.ns())));
        return new ThreadCpu(isVcpu, sum);
    }

    long vcpuNs() {
        return threads.values().stream().filter(t -> isVcpu.test(t.name())).mapToLong(Thread::ns).sum();
    }

    /** The threads other than the vCPUs, summed by group, in name order. */
    Map<String, Long> otherByGroup() {
        Map<String, Long> g = new TreeMap<>();
        threads.values().stream().filter(t -> !isVcpu.test(t.name()))
                .forEach(t -> g.merge(t.name().replaceAll("[-#_ ]*\\d+$", ""), t.ns(), Long::sum));
        return g;
    }
}
