package io.jvmm.monitor.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The console as followers read it: whole characters only, whatever the moment of the read. */
class ConsoleBufferTest {
    private final ConsoleBuffer console = new ConsoleBuffer(b -> { });

    private void write(byte... bytes) {
        for (byte b : bytes) {
            console.write(b & 0xFF);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aCharacterHalfWrittenWaitsForItsLastByte() {
        for (String ch : new String[] {"é", "€", "🙂"}) {
            byte[] bytes = utf8(ch);
            long start = console.total();
            for (int i = 0; i < bytes.length - 1; i++) {
                write(bytes[i]);
                ConsoleBuffer.Chunk partial = console.readFrom(start);
                assertEquals("", partial.text(), ch + " after " + (i + 1) + " of its " + bytes.length + " bytes");
                assertEquals(start, partial.end(), "a follower resumes at the start of " + ch);
            }
            write(bytes[bytes.length - 1]);
            ConsoleBuffer.Chunk whole = console.readFrom(start);
            assertEquals(ch, whole.text());
            assertEquals(start + bytes.length, whole.end());
        }
        assertEquals("é€🙂", console.text());
    }

    @Test
    void aFollowerReadingEveryByteSeesTheTextAsWritten() {
        String text = "boot: ok ✓ — naïve 🙂 done\n";
        StringBuilder seen = new StringBuilder();
        long next = 0;
        for (byte b : utf8(text)) {
            write(b);
            ConsoleBuffer.Chunk c = console.readFrom(next);
            seen.append(c.text());
            next = c.end();
        }
        assertEquals(text, seen.toString());
    }

    @Test
    void bytesThatCannotCompleteACharacterAreNotHeldBack() {
        write((byte) 0xC3);
        write((byte) 'A');
        assertEquals("\uFFFDA", console.readFrom(0).text());
        write((byte) 0x80, (byte) 'B');
        assertEquals("\uFFFDA\uFFFDB", console.text());
    }

    @Test
    void theOldestKeptByteInTheMiddleOfACharacterIsCountedLost() {
        byte[] euro = utf8("€");
        write(euro);
        for (int i = 0; i < ConsoleBuffer.CAPACITY - 2; i++) {
            write((byte) 'x');
        }
        // The ring now starts at the euro sign's second byte.
        ConsoleBuffer.Chunk c = console.readFrom(0);
        assertEquals(3, c.offset(), "the chunk starts after the broken character");
        assertEquals(3, c.lost(), "its first byte was overwritten, the other two are dropped with it");
        assertEquals("x".repeat(ConsoleBuffer.CAPACITY - 2), c.text());
        assertEquals(c.text(), console.text());
    }

    @Test
    void aFollowerAtTheEndGetsNothing() {
        write(utf8("abc"));
        ConsoleBuffer.Chunk c = console.readFrom(3);
        assertEquals(new ConsoleBuffer.Chunk(3, 3, 0, ""), c);
    }
}
