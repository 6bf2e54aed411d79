package io.mljobs.job;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

/**
 * A point in the (created_at, id) order that keyset pages are cut at. created_at is held in
 * microseconds since the epoch, PostgreSQL's own precision, so a position survives a round trip.
 */
public record Position(long createdAtMicros, long id) implements Comparable<Position> {

    public static Position of(Instant createdAt, long id) {
        return new Position(ChronoUnit.MICROS.between(Instant.EPOCH, createdAt), id);
    }

    /** The position just before every row created at {@code instant} (ids are positive). */
    public static Position startOf(Instant instant) {
        return of(instant, 0);
    }

    public OffsetDateTime createdAt() {
        return Instant.EPOCH.plus(createdAtMicros, ChronoUnit.MICROS).atOffset(ZoneOffset.UTC);
    }

    @Override
    public int compareTo(Position other) {
        int byTime = Long.compare(createdAtMicros, other.createdAtMicros);
        return byTime != 0 ? byTime : Long.compare(id, other.id);
    }
}
