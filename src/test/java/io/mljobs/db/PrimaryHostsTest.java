package io.mljobs.db;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.mljobs.db.PrimaryHosts.Answer;
import io.mljobs.db.PrimaryHosts.Kind;

/** Which host a round of checks makes the primary: the one that says so, a slow one kept, the newest timeline. */
class PrimaryHostsTest {

    private static final Answer STANDBY = Answer.STANDBY;
    private static final Answer DOWN = Answer.DOWN;
    private static final Answer UNKNOWN = Answer.UNKNOWN;

    private static Answer primary(int timeline) {
        return new Answer(Kind.PRIMARY, timeline);
    }

    @Test
    void theHostThatIsNotInRecoveryIsThePrimary() {
        assertEquals(0, PrimaryHosts.choose(-1, List.of(primary(1), STANDBY)));
        assertEquals(1, PrimaryHosts.choose(0, List.of(DOWN, primary(2))), "the promoted standby");
    }

    @Test
    void withoutAPrimaryThereIsNoneUnlessTheCurrentOneWasOnlySlow() {
        assertEquals(-1, PrimaryHosts.choose(0, List.of(DOWN, STANDBY)), "stopped, the standby not promoted yet");
        assertEquals(-1, PrimaryHosts.choose(0, List.of(STANDBY, STANDBY)), "the old primary came back a standby");
        assertEquals(0, PrimaryHosts.choose(0, List.of(UNKNOWN, STANDBY)), "a slow answer keeps it");
        assertEquals(-1, PrimaryHosts.choose(-1, List.of(UNKNOWN, STANDBY)), "but makes no new primary");
    }

    @Test
    void ofTwoPrimariesTheNewestTimelineWinsAndAmongEqualsTheCurrentOne() {
        assertEquals(1, PrimaryHosts.choose(0, List.of(primary(1), primary(2))), "the old one restarted unrewound");
        assertEquals(0, PrimaryHosts.choose(1, List.of(primary(3), primary(2))));
        assertEquals(1, PrimaryHosts.choose(1, List.of(primary(2), primary(2))));
        assertEquals(0, PrimaryHosts.choose(-1, List.of(primary(2), primary(2))), "the first when none is current");
        assertEquals(1, PrimaryHosts.choose(0, List.of(UNKNOWN, primary(2))), "one that says so beats a slow one");
    }
}
