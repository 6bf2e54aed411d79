package io.mljobs.job;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.vertx.mutiny.sqlclient.Row;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.UUID;

/** A job as the API shows it. List items leave out {@code input_text}, which can be large. */
public record JobView(
        long id,
        UUID jobUuid,
        @JsonInclude(JsonInclude.Include.NON_NULL) String inputText,
        JobStatus status,
        Double resultScore,
        String resultLabel,
        Instant createdAt,
        Instant startedAt,
        Instant completedAt,
        String workerId,
        Instant heartbeatAt,
        String error) {

    /** Maps a row of {@link JobRepository}'s queries; {@code input_text} only if it was selected. */
    public static JobView from(Row row) {
        return new JobView(
                row.getLong("id"),
                row.getUUID("job_uuid"),
                row.getColumnIndex("input_text") >= 0 ? row.getString("input_text") : null,
                JobStatus.parse(row.getString("status")).orElseThrow(),
                row.getDouble("result_score"),
                row.getString("result_label"),
                instant(row.getOffsetDateTime("created_at")),
                instant(row.getOffsetDateTime("started_at")),
                instant(row.getOffsetDateTime("completed_at")),
                row.getString("worker_id"),
                instant(row.getOffsetDateTime("heartbeat_at")),
                row.getString("error"));
    }

    public static JobView from(Job job) {
        return new JobView(job.id, job.jobUuid, job.inputText, job.status, job.resultScore, job.resultLabel,
                job.createdAt, job.startedAt, job.completedAt, job.workerId, job.heartbeatAt, job.error);
    }

    private static Instant instant(OffsetDateTime value) {
        return value == null ? null : value.toInstant();
    }
}
