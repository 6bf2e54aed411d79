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
        // Not ChronoUnit.MICROS.between: it goes through nanoseconds, which overflow past 2262.
        return new Position(Math.addExact(Math.multiplyExact(createdAt.getEpochSecond(), 1_000_000L),
                createdAt.getNano() / 1_000), id);
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
