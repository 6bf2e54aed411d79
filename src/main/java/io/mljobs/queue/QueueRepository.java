package io.mljobs.queue;

import static io.mljobs.job.JobRepository.ALL_COLUMNS;
import static io.mljobs.job.JobRepository.LIST_COLUMNS;
import static io.mljobs.job.JobRepository.qualified;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.mljobs.db.Db;
import io.mljobs.db.NamedQuery;
import io.mljobs.db.QueryOwner;
import io.mljobs.db.Rows;
import io.mljobs.job.JobStatus;
import io.mljobs.job.JobView;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;

/** Owns the SQL of a job's life after submission: claim, heartbeat, finish, lease expiry. */
@ApplicationScoped
public class QueueRepository implements QueryOwner {

    /**
     * Takes the oldest pending jobs through the small partial pending index; SKIP LOCKED lets
     * concurrent claimers pass over each other's rows instead of queueing behind them.
     */
    static final NamedQuery CLAIM = NamedQuery.of("queue.claim", """
            UPDATE ml_jobs j
               SET status = 'running', worker_id = $1, started_at = now(), heartbeat_at = now()
             WHERE j.id IN (SELECT id FROM ml_jobs
                             WHERE status = 'pending'
                             ORDER BY created_at, id
                             LIMIT $2
                               FOR UPDATE SKIP LOCKED)
            RETURNING %s
            """.formatted(qualified("j", ALL_COLUMNS)));

    /**
     * The same from a creation time on ({@link ClaimFloor}): the index scan starts there, past the entries of jobs
     * claimed already, which a long-open snapshot keeps from being marked dead.
     */
    static final NamedQuery CLAIM_FROM = NamedQuery.of("queue.claim_from", """
            UPDATE ml_jobs j
               SET status = 'running', worker_id = $1, started_at = now(), heartbeat_at = now()
             WHERE j.id IN (SELECT id FROM ml_jobs
                             WHERE status = 'pending' AND created_at >= $3
                             ORDER BY created_at, id
                             LIMIT $2
                               FOR UPDATE SKIP LOCKED)
            RETURNING %s
            """.formatted(qualified("j", ALL_COLUMNS)));

    /**
     * Moves one running job to completed or failed. One round trip answers all three cases: no such
     * job (no row), not running or held by another worker (current_status only), or done.
     *
     * <p>
     * {@code status IS NOT DISTINCT FROM 'running'}, here and in FINISH_BATCH and HEARTBEAT, is
     * {@code status = 'running'} that the partial running index cannot serve: a job is found by its
     * key, never by scanning that index. When statistics say hardly any job runs, the planner scans
     * the whole running index instead, which is cheap until a long report's snapshot keeps an entry
     * for every job that ran since it began: in the soak, 25,504 buffers and 381 ms for five reports.
     * The condition is still checked again on the row's latest version, as an UPDATE's WHERE is.
     */
    static final NamedQuery FINISH = NamedQuery.of("queue.finish", """
            WITH target AS (
                SELECT id, status, worker_id FROM ml_jobs WHERE job_uuid = $1
            ), done AS (
                UPDATE ml_jobs j
                   SET status = $2, result_score = $3, result_label = $4, error = $5, completed_at = now()
                  FROM target
                 WHERE j.id = target.id AND j.status IS NOT DISTINCT FROM 'running'
                   AND ($6::text IS NULL OR j.worker_id = $6)
                RETURNING %s
            )
            SELECT target.status AS current_status, target.worker_id AS current_worker, done.*
              FROM target LEFT JOIN done ON true
            """.formatted(qualified("j", LIST_COLUMNS)));

    /** Up to 1,000 results in one statement, one answer row per input row, in input order. */
    static final NamedQuery FINISH_BATCH = NamedQuery.of("queue.finish_batch", """
            WITH input AS (
                SELECT *
                  FROM unnest($1::uuid[], $2::text[], $3::float8[], $4::text[], $5::text[], $6::text[])
                       WITH ORDINALITY AS i(job_uuid, status, result_score, result_label, error, worker_id, ord)
            ), done AS (
                UPDATE ml_jobs j
                   SET status = i.status, result_score = i.result_score, result_label = i.result_label,
                       error = i.error, completed_at = now()
                  FROM input i
                 WHERE j.job_uuid = i.job_uuid AND j.status IS NOT DISTINCT FROM 'running'
                   AND (i.worker_id IS NULL OR j.worker_id = i.worker_id)
                RETURNING j.job_uuid, j.status
            )
            SELECT i.job_uuid, done.status AS new_status, current.status AS current_status
              FROM input i
              LEFT JOIN done ON done.job_uuid = i.job_uuid
              LEFT JOIN ml_jobs current ON current.job_uuid = i.job_uuid
             ORDER BY i.ord
            """);

    static final NamedQuery HEARTBEAT = NamedQuery.of("queue.heartbeat", """
            WITH target AS (
                SELECT id, status, worker_id FROM ml_jobs WHERE job_uuid = $1
            ), beat AS (
                UPDATE ml_jobs j
                   SET heartbeat_at = now()
                  FROM target
                 WHERE j.id = target.id AND j.status IS NOT DISTINCT FROM 'running'
                   AND ($2::text IS NULL OR j.worker_id = $2)
                RETURNING j.job_uuid, j.worker_id, j.heartbeat_at
            )
            SELECT target.status AS current_status, target.worker_id AS current_worker, beat.*
              FROM target LEFT JOIN beat ON true
            """);

    /** Running jobs whose worker has been silent longer than the lease go back to the queue. */
    static final NamedQuery REAP_EXPIRED = NamedQuery.background("queue.reap_expired", """
            UPDATE ml_jobs j
               SET status = 'pending', worker_id = NULL, started_at = NULL, heartbeat_at = NULL
             WHERE j.status = 'running'
               AND j.id IN (SELECT id FROM ml_jobs
                             WHERE status = 'running' AND heartbeat_at < now() - make_interval(secs => $1)
                             ORDER BY heartbeat_at
                             LIMIT $2
                               FOR UPDATE SKIP LOCKED)
            """);

    private final Db db;

    public QueueRepository(Db db) {
        this.db = db;
    }

    @Override
    public List<String> queryNames() {
        return QueryOwner.names(CLAIM, CLAIM_FROM, FINISH, FINISH_BATCH, HEARTBEAT, REAP_EXPIRED);
    }

    /** The claimed jobs, oldest first; from the head of the queue when {@code from} is null. */
    public Uni<List<JobView>> claim(String workerId, int limit, Instant from) {
        Uni<RowSet<Row>> claimed = from == null ? db.query(CLAIM, Tuple.of(workerId, limit))
                : db.query(CLAIM_FROM, Tuple.of(workerId, limit, from.atOffset(ZoneOffset.UTC)));
        return claimed.map(rows -> {
            // RETURNING follows no ORDER BY.
            List<JobView> jobs = Db.mapRows(rows, JobView.reader(rows));
            jobs.sort(Comparator.comparing(JobView::createdAt).thenComparing(JobView::id));
            return jobs;
        });
    }

    /** Empty if no such job exists. */
    public Uni<Optional<Transition>> finish(UUID jobUuid, Finish finish) {
        Tuple args = Tuple.tuple().addUUID(jobUuid).addString(finish.status().value())
                .addDouble(finish.resultScore()).addString(finish.resultLabel()).addString(finish.error())
                .addString(finish.workerId());
        return db.query(FINISH, args).map(rows -> Db.firstRow(rows).map(row -> new Transition(
                status(row, "current_status"), row.getString("current_worker"),
                row.getLong("id") == null ? null : JobView.reader(rows).apply(row))));
    }

    public Uni<List<BatchOutcome>> finishBatch(List<Finish> results, UUID[] jobUuids) {
        int n = results.size();
        String[] statuses = new String[n];
        Double[] scores = new Double[n];
        String[] labels = new String[n];
        String[] errors = new String[n];
        String[] workers = new String[n];
        for (int i = 0; i < n; i++) {
            Finish result = results.get(i);
            statuses[i] = result.status().value();
            scores[i] = result.resultScore();
            labels[i] = result.resultLabel();
            errors[i] = result.error();
            workers[i] = result.workerId();
        }
        return db.query(FINISH_BATCH, Tuple.of(jobUuids, statuses, scores, labels, errors, workers))
                .map(rows -> Db.mapRows(rows, row -> new BatchOutcome(row.getUUID("job_uuid"),
                        status(row, "new_status"), status(row, "current_status"))));
    }

    /** Empty if no such job exists. */
    public Uni<Optional<Beat>> heartbeat(UUID jobUuid, String workerId) {
        return db.query(HEARTBEAT, Tuple.of(jobUuid, workerId)).map(rows -> Db.firstRow(rows).map(row -> new Beat(
                status(row, "current_status"), row.getString("current_worker"),
                Rows.instant(row, "heartbeat_at"))));
    }

    /** Returns up to {@code limit} expired jobs to pending; answers how many. */
    public Uni<Integer> reapExpired(Duration lease, int limit) {
        return db.query(REAP_EXPIRED, Tuple.of(lease.toMillis() / 1000.0, limit)).map(RowSet::rowCount);
    }

    /** Null for a null column: a job that does not exist, or a result that was not applied. */
    private static JobStatus status(Row row, String column) {
        String value = row.getString(column);
        return value == null ? null : JobStatus.parse(value).orElseThrow();
    }

    /** The state a transition found, and the job after it when it happened. */
    public record Transition(JobStatus currentStatus, String currentWorker, JobView job) {
    }

    public record Beat(JobStatus currentStatus, String currentWorker, Instant heartbeatAt) {
    }

    /** newStatus is null when the job was not changed; currentStatus is null when it does not exist. */
    public record BatchOutcome(UUID jobUuid, JobStatus newStatus, JobStatus currentStatus) {
    }
}
