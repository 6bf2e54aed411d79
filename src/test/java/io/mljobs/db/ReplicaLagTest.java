package io.mljobs.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The lag bound and the choice of a replica, without a database: pure logic. */
class ReplicaLagTest {

    private static final long S = 1_000_000_000L;

    @Test
    void aStandbyThatReplayedWhatTheIdlePrimaryHasIsNotBehindHoweverOldItsLastCommit() {
        ReplicaLag lag = new ReplicaLag();
        lag.primaryAt(100 * S, 5_000);
        // The last commit was an hour ago: an idle primary, nothing to replay.
        assertEquals(0.0, lag.seconds(100 * S, 5_000L, 3_600.0));
        assertEquals(0.0, lag.seconds(100 * S, 6_000L, 3_600.0), "replayed past the position read just before");
    }

    @Test
    void aStandbyBehindIsAsOldAsTheNewestPrimaryPositionItHasReplayed() {
        ReplicaLag lag = new ReplicaLag();
        lag.primaryAt(100 * S, 1_000);
        lag.primaryAt(100 * S + S / 2, 2_000);
        lag.primaryAt(101 * S, 3_000);
        lag.primaryAt(101 * S + S / 2, 4_000);
        assertEquals(1.0, lag.seconds(101 * S + S / 2, 2_500L, null));
        assertEquals(1.5, lag.seconds(101 * S + S / 2, 1_000L, null));
        assertEquals(0.5, lag.seconds(101 * S + S / 2, 3_999L, 60.0), "the smaller of the two bounds");
        assertEquals(0.2, lag.seconds(101 * S + S / 2, 2_500L, 0.2), "a recent replayed commit bounds it tighter");
    }

    @Test
    void withoutAPositionOldEnoughTheReplayTimestampBoundsIt() {
        ReplicaLag lag = new ReplicaLag();
        lag.primaryAt(100 * S, 9_000);
        assertEquals(7.5, lag.seconds(100 * S, 1_000L, 7.5));
        assertEquals(7.5, new ReplicaLag().seconds(100 * S, 1_000L, 7.5), "the primary's position never read");
        assertEquals(0.0, new ReplicaLag().seconds(100 * S, 1_000L, -0.3), "a clock ahead of the primary's");
    }

    @Test
    void withNeitherBoundTheLagIsUnbounded() {
        ReplicaLag lag = new ReplicaLag();
        lag.primaryAt(100 * S, 9_000);
        assertEquals(Double.POSITIVE_INFINITY, lag.seconds(100 * S, 1_000L, null));
        assertEquals(Double.POSITIVE_INFINITY, lag.seconds(100 * S, null, null));
    }

    @Test
    void onlyTheLastSamplesAreKept() {
        ReplicaLag lag = new ReplicaLag();
        for (int i = 0; i < ReplicaLag.SAMPLES + 10; i++) {
            lag.primaryAt(i * S, 1_000 + i);
        }
        long newest = ReplicaLag.SAMPLES + 9;
        assertEquals(Double.POSITIVE_INFINITY, lag.seconds(newest * S, 1_005L, null), "sample 5 is gone");
        assertEquals(ReplicaLag.SAMPLES - 1.0, lag.seconds(newest * S, 1_010L, null), "sample 10 is the oldest kept");
    }

    @Test
    void walPositionsParseAsPostgresPrintsThem() {
        assertEquals(0x16_B374D848L, ReplicaLag.parseLsn("16/B374D848"));
        assertEquals(0L, ReplicaLag.parseLsn("0/0"));
        assertEquals(-1L, ReplicaLag.parseLsn("FFFFFFFF/FFFFFFFF"));
        assertThrows(IllegalArgumentException.class, () -> ReplicaLag.parseLsn("16B374D848"));
    }

    @Test
    void aHighPositionComparesUnsigned() {
        ReplicaLag lag = new ReplicaLag();
        lag.primaryAt(100 * S, ReplicaLag.parseLsn("80000000/0"));
        assertEquals(0.0, lag.seconds(100 * S, ReplicaLag.parseLsn("80000000/10"), null));
        assertEquals(Double.POSITIVE_INFINITY, lag.seconds(100 * S, ReplicaLag.parseLsn("7FFFFFFF/0"), null));
    }

    @Test
    void aReplicaServesWhileItAnswersIsAStandbyAndIsWithinMaxLag() {
        Replica replica = new Replica("replica-1", "postgresql://standby/db", null, null, null, 1.0);
        assertEquals(false, replica.serving(), "not before its first check");
        replica.checked(true, 0.0);
        assertEquals(true, replica.serving());
        replica.checked(true, 1.0);
        assertEquals(true, replica.serving(), "at the bound");
        replica.checked(true, 1.5);
        assertEquals(false, replica.serving());
        assertEquals("1.5 s behind the primary, over max-lag 1.0 s", replica.problem());
        replica.checked(true, Double.POSITIVE_INFINITY);
        assertEquals(false, replica.serving());
        replica.checked(false, 0.0);
        assertEquals(false, replica.serving(), "a promoted standby is not a replica of this primary");
        replica.checked(true, 0.2);
        assertEquals(true, replica.serving());
        replica.down(new java.net.ConnectException("Connection refused"));
        assertEquals(false, replica.serving());
        assertEquals(false, replica.up());
        assertEquals(Double.NaN, replica.lagSeconds());
        replica.checked(true, 0.0);
        assertEquals(true, replica.serving(), "back at its first answer");
    }

    record Candidate(String name, boolean serving, int load) {
    }

    @Test
    void readsGoToTheLeastLoadedServingReplicaTakenInTurnAmongEquals() {
        List<Candidate> replicas = List.of(new Candidate("a", true, 3), new Candidate("b", false, 0),
                new Candidate("c", true, 1), new Candidate("d", true, 1));
        assertEquals("c", choose(replicas, 0));
        assertEquals("c", choose(replicas, 2));
        assertEquals("d", choose(replicas, 3));
        assertEquals("c", choose(replicas, 4 + 1));
        assertEquals(null, choose(List.of(new Candidate("a", false, 0)), 7), "none serving: the primary");
        assertEquals("a", choose(List.of(new Candidate("a", true, 0)), Integer.MIN_VALUE), "any start");
    }

    private static String choose(List<Candidate> candidates, int start) {
        Candidate chosen = ReadReplicas.choose(candidates, start, Candidate::serving, Candidate::load);
        return chosen == null ? null : chosen.name();
    }
}
