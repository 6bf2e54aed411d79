package io.mljobs.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/** The floor's rules, on a clock the test moves. */
class ClaimFloorTest {

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final ClaimFloor floor = new ClaimFloor(Duration.ofSeconds(5), nanos::get);
    private final Instant t = Instant.parse("2026-11-28T09:00:00Z");

    @Test
    void theFirstClaimReadsFromTheHeadAndLaterOnesFromTheNewestClaimedJobLessTheMargin() {
        assertNull(floor.next());
        floor.claimedUpTo(t);
        assertEquals(t.minus(ClaimFloor.MARGIN), floor.next());
    }

    @Test
    void theFloorNeverMovesDown() {
        floor.next();
        floor.claimedUpTo(t);
        floor.claimedUpTo(t.minusSeconds(60)); // a straggler a sweep found
        assertEquals(t.minus(ClaimFloor.MARGIN), floor.next());
        floor.claimedUpTo(t.plusSeconds(10));
        assertEquals(t.plusSeconds(10).minus(ClaimFloor.MARGIN), floor.next());
    }

    @Test
    void everySweepIntervalOneClaimReadsFromTheHead() {
        floor.next();
        floor.claimedUpTo(t);
        nanos.addAndGet(Duration.ofMillis(4_900).toNanos());
        assertEquals(t.minus(ClaimFloor.MARGIN), floor.next());
        nanos.addAndGet(Duration.ofMillis(100).toNanos());
        assertNull(floor.next());
        assertEquals(t.minus(ClaimFloor.MARGIN), floor.next());
    }

    @Test
    void aRescanMakesTheNextClaimReadFromTheHead() {
        floor.next();
        floor.claimedUpTo(t);
        floor.rescan();
        assertNull(floor.next());
        assertEquals(t.minus(ClaimFloor.MARGIN), floor.next());
    }
}
