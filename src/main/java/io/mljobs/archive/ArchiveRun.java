package io.mljobs.archive;

import java.time.Duration;
import java.time.Instant;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.annotation.JsonValue;

import io.mljobs.api.LowerCaseEnums;
import io.mljobs.db.Rows;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.vertx.mutiny.sqlclient.Row;

/** An archival run as {@code GET /admin/archive-runs/{id}} shows it. */
// Built into a Response, where the native build cannot see the type: register it for Jackson.
@RegisterForReflection
public record ArchiveRun(
        @Schema(required = true) long id,
        @Schema(required = true) State state,
        @Schema(required = true) Trigger trigger,
        @Schema(required = true) int daysOld,
        @Schema(required = true, description = "Finished jobs created before this are archived") Instant cutoff,
        @Schema(required = true) int batchSize,
        @Schema(required = true) long archived,
        @Schema(required = true) int batches,
        @Schema(required = true, description = "Archived jobs deleted one by one past retention") long purged,
        @Schema(required = true, description = "Monthly archive partitions dropped whole past retention") int droppedPartitions,
        @Schema(required = true) double rowsPerSecond,
        @Schema(required = true) Instant startedAt,
        @Schema(required = true, nullable = true, implementation = String.class, format = "date-time") Instant finishedAt,
        @Schema(required = true, nullable = true) String error) {

    /** Stored and shown in lower case; abandoned marks runs from before stale runs were marked failed. */
    @Schema(name = "ArchiveRunState")
    public enum State {
        RUNNING,
        SUCCEEDED,
        FAILED,
        ABANDONED;

        @JsonValue
        public String value() {
            return LowerCaseEnums.value(this);
        }

        static State parse(String value) {
            return LowerCaseEnums.parse(State.class, value)
                    .orElseThrow(() -> new IllegalStateException("unknown archive run state in database: " + value));
        }
    }

    /** What started a run: the nightly schedule or a request to POST /admin/archive-jobs. */
    @Schema(name = "ArchiveRunTrigger")
    public enum Trigger {
        SCHEDULE,
        REQUEST;

        @JsonValue
        public String value() {
            return LowerCaseEnums.value(this);
        }

        static Trigger parse(String value) {
            return LowerCaseEnums.parse(Trigger.class, value)
                    .orElseThrow(() -> new IllegalStateException("unknown archive run trigger in database: " + value));
        }
    }

    public static ArchiveRun from(Row row) {
        Instant started = Rows.instant(row, "started_at");
        Instant finished = Rows.instant(row, "finished_at");
        long archived = row.getLong("archived");
        Duration elapsed = Duration.between(started, finished == null ? Rows.instant(row, "now")
                : finished);
        double seconds = Math.max(elapsed.toNanos() / 1e9, 1e-3);
        return new ArchiveRun(row.getLong("id"), State.parse(row.getString("state")), Trigger.parse(row.getString("trigger")),
                row.getInteger("days_old"), Rows.instant(row, "cutoff"), row.getInteger("batch_size"),
                archived, row.getInteger("batches"), row.getLong("purged"), row.getInteger("dropped_partitions"),
                Math.round(archived / seconds * 10) / 10.0,
                started, finished, row.getString("error"));
    }
}
