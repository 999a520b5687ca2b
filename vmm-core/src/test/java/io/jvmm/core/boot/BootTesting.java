package io.jvmm.core.boot;

import io.jvmm.core.memory.GuestMemory;
import io.jvmm.kvm.DescriptorTable;
import io.jvmm.kvm.Segment;
import io.jvmm.kvm.Sregs;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Helpers shared by the Linux loader tests: reading guest memory back, and a CPU's reset state. */
final class BootTesting {
    private BootTesting() {
    }

    /** The NUL-terminated UTF-8 string at {@code addr}. */
    static String cString(GuestMemory memory, long addr) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (long p = addr; memory.readU8(p) != 0; p++) {
            out.write(memory.readU8(p));
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The little-endian u16 at {@code addr}. */
    static int u16(GuestMemory memory, long addr) {
        return memory.readU8(addr) | memory.readU8(addr + 1) << 8;
    }

    /**
     * A boot CPU's state as KVM creates it (real mode at F000:FFF0, TR a busy TSS of limit
     * 0xFFFF, an LDT, CR0 = CD | NW | ET, the APIC base MSR of a boot CPU), with one pending
     * interrupt bit so that the bitmap's copy shows.
     */
    static Sregs resetSregs() {
        Segment cs = new Segment(0xffff0000L, 0xffff, 0xf000, 0xb, true, 0, false, true, false, false, false, false);
        Segment data = new Segment(0, 0xffff, 0, 0x3, true, 0, false, true, false, false, false, false);
        Segment tr = new Segment(0, 0xffff, 0, 0xb, true, 0, false, false, false, false, false, false);
        Segment ldt = new Segment(0, 0xffff, 0, 0x2, true, 0, false, false, false, false, false, false);
        return new Sregs(cs, data, data, data, data, data, tr, ldt, new DescriptorTable(0, 0xffff),
                new DescriptorTable(0, 0xffff), 0x60000010L, 0x1234, 0, 0, 0, 0, 0xfee00900L,
                new long[] {0, 1L << 35, 0, 0});
    }
}
