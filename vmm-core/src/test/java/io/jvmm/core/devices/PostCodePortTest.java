package io.jvmm.core.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** PostCodePort: port 0x80, the time of the first write and the last code. */
class PostCodePortTest {
    private final PostCodePort post = new PostCodePort();

    @Test
    void nothingWrittenYet() {
        assertEquals(0x80, PostCodePort.PORT);
        assertEquals(0, post.firstWriteNanos());
        assertEquals(-1, post.lastCode());
        assertEquals(0xff, post.read(0, 1, 0));
        assertTrue(post.ownLocking());
    }

    @Test
    void firstWriteIsTimestampedAndLaterOnesKeepIt() throws Exception {
        long before = System.nanoTime();
        post.write(0, 1, 0x01, 0);
        long after = System.nanoTime();
        long first = post.firstWriteNanos();
        assertTrue(first >= before && first <= after, "timestamp taken at the write");
        assertEquals(1, post.lastCode());
        Thread.sleep(2);
        post.write(0, 1, 0x1a2, 1);
        assertEquals(first, post.firstWriteNanos(), "only the first write counts");
        assertEquals(0xa2, post.lastCode(), "a byte port");
        assertEquals(0xa2, post.read(0, 1, 0));
    }

    @Test
    void resetForgetsAndTheNextWriteIsFirstAgain() throws Exception {
        post.write(0, 1, 0x01, 0);
        long first = post.firstWriteNanos();
        post.reset();
        assertEquals(0, post.firstWriteNanos());
        assertEquals(-1, post.lastCode());
        Thread.sleep(2);
        post.write(0, 1, 0x02, 0);
        assertTrue(post.firstWriteNanos() > first);
        assertEquals(2, post.lastCode());
    }
}
