package io.jvmm.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The mappings of a process from /proc/PID/smaps, with their Size and Rss. */
final class Smaps {
    record Mapping(long start, long end, String perms, String name, long sizeKb, long rssKb) {
        boolean anonymous() {
            return name.isEmpty();
        }
    }

    private Smaps() {
    }

    static List<Mapping> read(long pid) throws IOException {
        return parse(Files.readAllLines(Path.of("/proc/" + pid + "/smaps")));
    }

    static List<Mapping> parse(List<String> lines) {
        List<Mapping> out = new ArrayList<>();
        long start = 0;
        long end = 0;
        String perms = "";
        String name = "";
        long size = -1;
        long rss = -1;
        boolean open = false;
        for (String l : lines) {
            if (!l.isEmpty() && Character.digit(l.charAt(0), 16) >= 0 && l.indexOf('-') > 0 && l.indexOf('-') < l.indexOf(' ')
                    && !l.contains(":  ") && !l.endsWith(" kB")) {
                if (open) {
                    out.add(new Mapping(start, end, perms, name, size, rss));
                }
                String[] f = l.trim().split("\\s+", 6);
                String[] range = f[0].split("-");
                start = Long.parseUnsignedLong(range[0], 16);
                end = Long.parseUnsignedLong(range[1], 16);
                perms = f[1];
                name = f.length > 5 ? f[5] : "";
                size = -1;
                rss = -1;
                open = true;
            } else if (l.startsWith("Size:")) {
                size = kb(l);
            } else if (l.startsWith("Rss:")) {
                rss = kb(l);
            }
        }
        if (open) {
            out.add(new Mapping(start, end, perms, name, size, rss));
        }
        return out;
    }

    private static long kb(String line) {
        String[] f = line.trim().split("\\s+");
        return Long.parseLong(f[1]);
    }

    static long totalRssKb(List<Mapping> ms) {
        return ms.stream().mapToLong(Mapping::rssKb).sum();
    }

    /** An address range [start, end). */
    record Range(long start, long end) {
        long kb() {
            return (end - start) / 1024;
        }
    }

    /**
     * The guest RAM of a VM created after {@code before} was read: the address range of exactly
     * {@code ramKb} that is now mapped anonymous read-write and was not mapped at all before. The
     * kernel may have merged the RAM mapping with an adjacent anonymous mapping of the JVM (same
     * flags), so the range is found by difference, not by mapping.
     */
    static Range newRam(List<Mapping> now, List<Mapping> before, long ramKb) {
        List<Range> found = new ArrayList<>();
        for (Mapping m : now) {
            if (!m.anonymous() || !m.perms().startsWith("rw")) {
                continue;
            }
            List<Range> pieces = new ArrayList<>(List.of(new Range(m.start(), m.end())));
            for (Mapping b : before) {
                List<Range> next = new ArrayList<>();
                for (Range r : pieces) {
                    if (b.end() <= r.start() || b.start() >= r.end()) {
                        next.add(r);
                        continue;
                    }
                    if (b.start() > r.start()) {
                        next.add(new Range(r.start(), b.start()));
                    }
                    if (b.end() < r.end()) {
                        next.add(new Range(b.end(), r.end()));
                    }
                }
                pieces = next;
            }
            for (Range r : pieces) {
                if (r.kb() == ramKb) {
                    found.add(r);
                }
            }
        }
        if (found.size() != 1) {
            throw new IllegalStateException("expected one new " + ramKb + " kB anonymous range (guest RAM), found " + found);
        }
        return found.get(0);
    }

    /** Resident kB of {@code r} in process {@code pid}, page by page from /proc/PID/pagemap (bit 63: present). */
    static long residentKb(long pid, Range r) throws IOException {
        long pages = (r.end() - r.start()) / 4096;
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate((int) (pages * 8)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(Path.of("/proc/" + pid + "/pagemap"))) {
            long pos = r.start() / 4096 * 8;
            while (buf.hasRemaining()) {
                int n = ch.read(buf, pos + buf.position());
                if (n <= 0) {
                    throw new IOException("short read of /proc/" + pid + "/pagemap");
                }
            }
        }
        buf.flip();
        long present = 0;
        for (long i = 0; i < pages; i++) {
            if (buf.getLong() < 0) {
                present++;
            }
        }
        return present * 4;
    }

    /**
     * The guest RAM mapping: an anonymous read-write mapping of exactly {@code ramKb}, and if
     * {@code before} is given, one that did not exist then. Fails unless there is exactly one.
     */
    static Mapping guestRam(List<Mapping> now, List<Mapping> before, long ramKb) {
        List<Mapping> c = new ArrayList<>();
        for (Mapping m : now) {
            if (m.anonymous() && m.perms().startsWith("rw") && m.sizeKb() == ramKb
                    && (before == null || before.stream().noneMatch(b -> b.start() == m.start() && b.end() == m.end()))) {
                c.add(m);
            }
        }
        if (c.size() != 1) {
            throw new IllegalStateException("expected one " + ramKb + " kB anonymous guest RAM mapping, found " + c);
        }
        return c.get(0);
    }
}
