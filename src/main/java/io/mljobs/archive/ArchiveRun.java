package io.mljobs.archive;

import java.time.Duration;
import java.time.Instant;

import io.mljobs.db.Rows;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.vertx.mutiny.sqlclient.Row;

/** An archival run as {@code GET /admin/archive-runs/{id}} shows it. */
// Built into a Response, where the native build cannot see the type: register it for Jackson.
@RegisterForReflection
public record ArchiveRun(
        long id,
        String state,
        String trigger,
        int daysOld,
        Instant cutoff,
        int batchSize,
        long archived,
        int batches,
        long purged,
        double rowsPerSecond,
        Instant startedAt,
        Instant finishedAt,
        String error) {

    public static final String RUNNING = "running";
    public static final String SUCCEEDED = "succeeded";
    public static final String FAILED = "failed";

    public static ArchiveRun from(Row row) {
        Instant started = Rows.instant(row, "started_at");
        Instant finished = Rows.instant(row, "finished_at");
        long archived = row.getLong("archived");
        Duration elapsed = Duration.between(started, finished == null ? Rows.instant(row, "now")
                : finished);
        double seconds = Math.max(elapsed.toNanos() / 1e9, 1e-3);
        return new ArchiveRun(row.getLong("id"), row.getString("state"), row.getString("trigger"),
                row.getInteger("days_old"), Rows.instant(row, "cutoff"), row.getInteger("batch_size"),
                archived, row.getInteger("batches"), row.getLong("purged"), Math.round(archived / seconds * 10) / 10.0,
                started, finished, row.getString("error"));
    }
}
