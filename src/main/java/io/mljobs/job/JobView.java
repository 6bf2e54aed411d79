package io.mljobs.job;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;

import io.mljobs.db.Rows;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;

/**
 * A job as the API shows it. List items leave out {@code input_text}, which can be large; only an archived job has
 * {@code archived_at}, so a live job's JSON is what it always was.
 */
@JsonSerialize(using = JobViewSerializer.class)
public record JobView(
        @Schema(required = true) long id,
        @Schema(required = true) UUID jobUuid,
        @Schema(description = "Left out of list items") @JsonInclude(JsonInclude.Include.NON_NULL) String inputText,
        @Schema(required = true) JobStatus status,
        @Schema(required = true, nullable = true) Double resultScore,
        @Schema(required = true, nullable = true) String resultLabel,
        @Schema(required = true) Instant createdAt,
        @Schema(required = true, nullable = true, implementation = String.class, format = "date-time") Instant startedAt,
        @Schema(required = true, nullable = true, implementation = String.class, format = "date-time") Instant completedAt,
        @Schema(required = true, nullable = true) String workerId,
        @Schema(required = true, nullable = true, implementation = String.class, format = "date-time") Instant heartbeatAt,
        @Schema(required = true, nullable = true) String error,
        @Schema(description = "When the job moved to the archive; only on archived jobs", implementation = String.class, format = "date-time") @JsonInclude(JsonInclude.Include.NON_NULL) Instant archivedAt) {

    /**
     * Maps the rows of one result set of the job and queue queries. Column positions are looked up
     * once per result set, not by name for every field of every row; {@code input_text} and
     * {@code archived_at} are mapped only if they were selected.
     */
    public static Function<Row, JobView> reader(RowSet<Row> rows) {
        List<String> names = rows.columnsNames() == null ? List.of() : rows.columnsNames();
        int id = names.indexOf("id");
        int jobUuid = names.indexOf("job_uuid");
        int inputText = names.indexOf("input_text");
        int status = names.indexOf("status");
        int resultScore = names.indexOf("result_score");
        int resultLabel = names.indexOf("result_label");
        int createdAt = names.indexOf("created_at");
        int startedAt = names.indexOf("started_at");
        int completedAt = names.indexOf("completed_at");
        int workerId = names.indexOf("worker_id");
        int heartbeatAt = names.indexOf("heartbeat_at");
        int error = names.indexOf("error");
        int archivedAt = names.indexOf("archived_at");
        return row -> new JobView(
                row.getLong(id),
                row.getUUID(jobUuid),
                inputText >= 0 ? row.getString(inputText) : null,
                JobStatus.parse(row.getString(status)).orElseThrow(),
                row.getDouble(resultScore),
                row.getString(resultLabel),
                Rows.instant(row, createdAt),
                Rows.instant(row, startedAt),
                Rows.instant(row, completedAt),
                row.getString(workerId),
                Rows.instant(row, heartbeatAt),
                row.getString(error),
                archivedAt >= 0 ? Rows.instant(row, archivedAt) : null);
    }

    public static JobView from(Job job) {
        return new JobView(job.id, job.jobUuid, job.inputText, job.status, job.resultScore, job.resultLabel,
                job.createdAt, job.startedAt, job.completedAt, job.workerId, job.heartbeatAt, job.error, null);
    }
}
