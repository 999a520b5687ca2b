package io.jvmm.guests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Checks the images build-guests.sh produced are what the loaders expect. */
class BundledGuestsTest {
    private static final List<String> EXPECTED =
            List.of("echo", "hello", "ipi-storm", "powerdown", "powered-off", "reset-cycle", "smp-boot", "smp-work");

    @Test
    void allGuestsAreListed() {
        assertTrue(BundledGuests.names().containsAll(EXPECTED), "index.txt lists " + BundledGuests.names());
        for (String name : BundledGuests.names()) {
            assertTrue(BundledGuests.image(name).isPresent(), "image for " + name);
        }
    }

    @Test
    void imagesAreMultibootElf32LoadedAtOneMiB() {
        for (String name : BundledGuests.names()) {
            ByteBuffer b = ByteBuffer.wrap(BundledGuests.image(name).orElseThrow()).order(ByteOrder.LITTLE_ENDIAN);
            // ELF header: 32-bit, little-endian, EM_386, executable.
            assertEquals(0x464c457f, b.getInt(0), name + ": ELF magic");
            assertEquals(1, b.get(4), name + ": ELFCLASS32");
            assertEquals(1, b.get(5), name + ": little-endian");
            assertEquals(2, b.getShort(16), name + ": ET_EXEC");
            assertEquals(3, b.getShort(18), name + ": EM_386");
            int entry = b.getInt(24);

            // Multiboot v1 header: 4-byte aligned, within the first 8192 bytes.
            int mb = -1;
            for (int off = 0; off + 12 <= Math.min(8192, b.limit()); off += 4) {
                if (b.getInt(off) == 0x1BADB002) {
                    mb = off;
                    break;
                }
            }
            assertTrue(mb >= 0, name + ": Multiboot header in the first 8 KiB");
            int flags = b.getInt(mb + 4);
            assertEquals(0, b.getInt(mb) + flags + b.getInt(mb + 8), name + ": Multiboot checksum");
            assertEquals(0, flags & 0x10000, name + ": no a.out kludge");
            assertEquals(0x3, flags & 0x3, name + ": page-align + memory-info flags");

            // Program headers: a PT_LOAD at physical 1 MiB with zero-filled .bss that holds the entry.
            int phoff = b.getInt(28);
            int phentsize = b.getShort(42) & 0xffff;
            int phnum = b.getShort(44) & 0xffff;
            boolean found = false;
            for (int i = 0; i < phnum; i++) {
                int ph = phoff + i * phentsize;
                if (b.getInt(ph) != 1) {
                    continue;
                }
                int paddr = b.getInt(ph + 12);
                int filesz = b.getInt(ph + 16);
                int memsz = b.getInt(ph + 20);
                if (paddr == 0x100000) {
                    found = true;
                    assertTrue(memsz > filesz, name + ": .bss is part of the PT_LOAD (memsz > filesz)");
                    assertTrue(entry >= paddr && entry < paddr + filesz, name + ": entry inside the segment");
                }
            }
            assertTrue(found, name + ": PT_LOAD at 0x100000");
        }
    }
}
