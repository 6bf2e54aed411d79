package io.mljobs.db;

import java.time.Instant;
import java.time.OffsetDateTime;

import io.vertx.mutiny.sqlclient.Row;

/** Column reads every repository needs: the client gives timestamptz as OffsetDateTime, the service uses Instant. */
public final class Rows {

    private Rows() {
    }

    /** Null stays null (a job not started, a run not finished). */
    public static Instant instant(Row row, String column) {
        return instant(row.getOffsetDateTime(column));
    }

    /** By position, for readers that look the columns up once per result set. */
    public static Instant instant(Row row, int column) {
        return instant(row.getOffsetDateTime(column));
    }

    private static Instant instant(OffsetDateTime value) {
        return value == null ? null : value.toInstant();
    }
}
