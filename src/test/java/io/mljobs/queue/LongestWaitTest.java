package io.mljobs.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;

import org.junit.jupiter.api.Test;

/** A waiting claim ends 5 s before the HTTP idle timeout would cut its silent connection, and within 30 s. */
class LongestWaitTest {

    @Test
    void aWaitEndsBeforeTheIdleTimeoutAndWithinThirtySeconds() {
        assertEquals(Duration.ofSeconds(30), QueueService.longestWait(Duration.ofSeconds(45)));
        assertEquals(Duration.ofSeconds(30), QueueService.longestWait(Duration.ofMinutes(30)));
        assertEquals(Duration.ofSeconds(15), QueueService.longestWait(Duration.ofSeconds(20)));
        assertEquals(Duration.ZERO, QueueService.longestWait(Duration.ofSeconds(5)));
        assertEquals(Duration.ZERO, QueueService.longestWait(Duration.ofSeconds(1)));
    }
}
