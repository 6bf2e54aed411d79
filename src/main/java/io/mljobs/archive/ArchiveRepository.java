package io.mljobs.archive;

import static io.mljobs.job.JobRepository.ALL_COLUMNS;
import static io.mljobs.job.JobRepository.qualified;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import jakarta.enterprise.context.ApplicationScoped;

import io.mljobs.db.Db;
import io.mljobs.db.NamedQuery;
import io.mljobs.db.QueryOwner;
import io.mljobs.db.Rows;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgException;

/** Owns the SQL of archival: the batch move, the partitions and retention, the run records and the run lock. */
@ApplicationScoped
public class ArchiveRepository implements QueryOwner {

    /**
     * One batch, one statement, one transaction: the rows leave ml_jobs and enter the archive
     * together or not at all. SKIP LOCKED passes over rows a writer holds (the next run takes
     * them); FOR UPDATE re-checks the status of each row it locks, so a job whose status changed
     * since the snapshot is judged on its new status. Each batch starts after the last one's
     * final row, so it never walks over the index entries of rows already moved. The DELETE finds
     * the locked rows by id, not by ctid: a row updated after the statement's snapshot (and before
     * the lock) has a new tuple that the snapshot cannot see by ctid, and would be left behind.
     * The run's counters move in the same statement: a separate UPDATE after the commit would lose
     * the batch's count if the connection or process died between the two.
     */
    static final NamedQuery ARCHIVE_BATCH = NamedQuery.background("archive.move_batch", """
            WITH batch AS (
                SELECT id FROM ml_jobs
                 WHERE status IN ('completed', 'failed')
                   AND created_at < $1
                   AND (created_at, id) > (COALESCE($2::timestamptz, '-infinity'), COALESCE($3::bigint, 0))
                 ORDER BY created_at, id
                 LIMIT $4
                   FOR UPDATE SKIP LOCKED
            ), moved AS (
                DELETE FROM ml_jobs j USING batch WHERE j.id = batch.id
                RETURNING %1$s
            ), archived AS (
                INSERT INTO ml_jobs_archive (%2$s)
                SELECT * FROM moved
                RETURNING created_at, id
            ), counted AS (
                UPDATE ml_archive_runs
                   SET archived = archived + (SELECT count(*) FROM archived), batches = batches + 1
                 WHERE id = $5 AND EXISTS (SELECT 1 FROM archived)
            )
            SELECT count(*) AS archived,
                   (array_agg(created_at ORDER BY created_at DESC, id DESC))[1] AS last_created_at,
                   (array_agg(id ORDER BY created_at DESC, id DESC))[1] AS last_id
              FROM archived
            """.formatted(qualified("j", ALL_COLUMNS), ALL_COLUMNS));

    /**
     * Retention's batch in one partition whose rows are not all past retention: the month the cutoff falls in,
     * the legacy partition, the default one. Named in the statement, so that no other partition is planned for:
     * the partition's BRIN index on archived_at (V15) gives the block ranges past the cutoff, in any order (all of
     * them go), and their ctids the rows to delete (no one updates an archived row). Like a batch of archival, it
     * counts itself into its run in the same statement.
     */
    static NamedQuery purgeBatch(ArchivePartition partition) {
        return NamedQuery.background("archive.purge_batch", """
                WITH purged AS (
                    DELETE FROM %1$s
                     WHERE ctid = ANY (ARRAY(SELECT ctid FROM %1$s WHERE archived_at < $1 LIMIT $2))
                    RETURNING 1
                ), counted AS (
                    UPDATE ml_archive_runs SET purged = purged + (SELECT count(*) FROM purged)
                     WHERE id = $3 AND EXISTS (SELECT 1 FROM purged)
                )
                SELECT count(*) AS purged FROM purged
                """.formatted(partition.identifier()));
    }

    /** The partitions (V13's function reads their bounds from the catalog) and the cutoff of retention. */
    static final NamedQuery LIST_PARTITIONS = NamedQuery.background("archive.list_partitions", """
            SELECT p.name, p.lower_bound, p.upper_bound, p.is_default, c.cutoff
              FROM (SELECT now() - make_interval(days => $1) AS cutoff) c
              LEFT JOIN ml_jobs_archive_partitions() p ON true
             ORDER BY p.lower_bound NULLS FIRST, p.upper_bound NULLS LAST
            """);

    /**
     * DROP TABLE of a partition takes an ACCESS EXCLUSIVE lock on ml_jobs_archive, as ATTACH takes one on the
     * default partition: while one waits for a reader to finish, every later query of the archive waits behind
     * it. Give up after a moment instead; the next run (or the next maintenance) tries again.
     */
    static final NamedQuery PARTITION_LOCK_TIMEOUT = NamedQuery.background("archive.partition_lock_timeout",
            "SET LOCAL lock_timeout = '500ms'");

    /** A whole month past retention goes in one catalog change, whatever it holds; the run counts it. */
    static NamedQuery dropPartition(ArchivePartition partition) {
        return NamedQuery.background("archive.drop_partition", "DROP TABLE " + partition.identifier());
    }

    static final NamedQuery COUNT_DROPPED = NamedQuery.background("archive.count_dropped",
            "UPDATE ml_archive_runs SET dropped_partitions = dropped_partitions + 1 WHERE id = $1");

    /** This month's partition and the next {@code $1} months' (V13's function; a month that exists is left). */
    static final NamedQuery CREATE_PARTITIONS = NamedQuery.background("archive.create_partitions",
            "SELECT ml_jobs_archive_create_partitions($1) AS made");

    /** Session-level: held by the run's connection, released when it ends or the connection drops. */
    static final NamedQuery TRY_LOCK = NamedQuery.background("archive.try_lock",
            "SELECT pg_try_advisory_lock('ml_jobs_archive'::regclass::oid::int, 0) AS locked");

    static final NamedQuery UNLOCK = NamedQuery.background("archive.unlock",
            "SELECT pg_advisory_unlock('ml_jobs_archive'::regclass::oid::int, 0)");

    /**
     * Under the lock no run is going: any still marked running died with its process. It failed, and
     * its counts are exact as they stand, since every batch counted itself in its own transaction.
     */
    static final NamedQuery FAIL_STALE = NamedQuery.background("archive.fail_stale", """
            UPDATE ml_archive_runs
               SET state = 'failed', finished_at = now(),
                   error = 'the process running it stopped; archived counts every batch it committed'
             WHERE state = 'running'
            RETURNING id
            """);

    static final NamedQuery START_RUN = NamedQuery.background("archive.start_run", """
            INSERT INTO ml_archive_runs (trigger, state, days_old, cutoff, batch_size)
            VALUES ($1, 'running', $2, now() - make_interval(days => $2), $3)
            RETURNING *, now() AS now
            """);

    static final NamedQuery FINISH_RUN = NamedQuery.background("archive.finish_run", """
            UPDATE ml_archive_runs SET state = $2, finished_at = now(), error = $3
             WHERE id = $1
            RETURNING *, now() AS now
            """);

    /**
     * Reads of run records for the endpoints may come from a read replica (a run's progress up to max-lag old);
     * a run the replica has not replayed yet is looked up on the primary.
     */
    static final NamedQuery FIND_RUN = NamedQuery.background("archive.find_run",
            "SELECT *, now() AS now FROM ml_archive_runs WHERE id = $1").onReplicaPrimaryOnMiss();

    static final NamedQuery FIND_RUNNING = NamedQuery.background("archive.find_running",
            "SELECT *, now() AS now FROM ml_archive_runs WHERE state = 'running' ORDER BY id DESC LIMIT 1");

    static final NamedQuery LIST_RUNS = NamedQuery.background("archive.list_runs",
            "SELECT *, now() AS now FROM ml_archive_runs ORDER BY id DESC LIMIT $1").onReplica();

    static final NamedQuery LAST_SUCCESS = NamedQuery.background("archive.last_success",
            "SELECT max(finished_at) AS finished_at FROM ml_archive_runs WHERE state = 'succeeded'");

    /**
     * ANALYZE and (auto)vacuum exclude each other, and an autovacuum that blocks another session for
     * a second cancels itself. After a large run autovacuum is likely busy on ml_jobs, cleaning up
     * what the run deleted: rather than cancel it, give up after a moment (it analyzes as well).
     */
    static final NamedQuery ANALYZE_LOCK_TIMEOUT = NamedQuery.background("archive.analyze_lock_timeout",
            "SET LOCAL lock_timeout = '200ms'");

    static final NamedQuery ANALYZE_JOBS = NamedQuery.background("archive.analyze_jobs", "ANALYZE ml_jobs");

    static final NamedQuery ANALYZE_ARCHIVE = NamedQuery.background("archive.analyze_archive", "ANALYZE ml_jobs_archive");

    /** The first entry of the created_at index: where the oldest slice of a parallel run starts. */
    static final NamedQuery OLDEST = NamedQuery.background("archive.oldest", "SELECT min(created_at) AS oldest FROM ml_jobs");

    /** What one batch moved, and where the next one starts. */
    public record Moved(long count, OffsetDateTime lastCreatedAt, Long lastId) {
    }

    private final Db db;

    public ArchiveRepository(Db db) {
        this.db = db;
    }

    @Override
    public List<String> queryNames() {
        List<String> built = List.of("archive.purge_batch", "archive.drop_partition");
        return Stream.concat(built.stream(), QueryOwner.names(ARCHIVE_BATCH, LIST_PARTITIONS,
                PARTITION_LOCK_TIMEOUT, COUNT_DROPPED, CREATE_PARTITIONS, TRY_LOCK, UNLOCK, FAIL_STALE, START_RUN, FINISH_RUN,
                FIND_RUN,
                FIND_RUNNING, LIST_RUNS, LAST_SUCCESS, ANALYZE_LOCK_TIMEOUT, ANALYZE_JOBS, ANALYZE_ARCHIVE, OLDEST).stream())
                .toList();
    }

    @Override
    public List<String> replicaQueryNames() {
        return QueryOwner.replicaNames(FIND_RUN, LIST_RUNS);
    }

    /**
     * Moves up to batchSize eligible rows created before {@code end} and after {@code after}, and
     * adds them to run {@code runId}'s counts in the same transaction.
     */
    public Uni<Moved> archiveBatch(SqlClient conn, long runId, Instant end, Moved after, int batchSize) {
        Tuple args = Tuple.of(end.atOffset(ZoneOffset.UTC), after == null ? null : after.lastCreatedAt(),
                after == null ? null : after.lastId(), batchSize, runId);
        return db.query(conn, ARCHIVE_BATCH, args).map(rows -> {
            var row = rows.iterator().next();
            return new Moved(row.getLong("archived"), row.getOffsetDateTime("last_created_at"), row.getLong("last_id"));
        });
    }

    /** The partitions, oldest first, and the cutoff of {@code retentionDays}. */
    public record Partitions(List<ArchivePartition> partitions, Instant cutoff) {
    }

    public Uni<Partitions> listPartitions(SqlClient conn, int retentionDays) {
        return db.query(conn, LIST_PARTITIONS, Tuple.of(retentionDays)).map(rows -> {
            List<ArchivePartition> partitions = new ArrayList<>();
            for (Row row : rows) {
                if (row.getString("name") != null) {
                    partitions.add(new ArchivePartition(row.getString("name"), Rows.instant(row, "lower_bound"),
                            Rows.instant(row, "upper_bound"), row.getBoolean("is_default")));
                }
            }
            return new Partitions(partitions, Rows.instant(rows.iterator().next(), "cutoff"));
        });
    }

    /** Deletes up to batchSize rows of the partition archived before cutoff, counted into run {@code runId}. */
    public Uni<Long> purgeBatch(SqlClient conn, long runId, ArchivePartition partition, Instant cutoff, int batchSize) {
        return db.query(conn, purgeBatch(partition), Tuple.of(cutoff.atOffset(ZoneOffset.UTC), batchSize, runId))
                .map(rows -> rows.iterator().next().getLong("purged"));
    }

    /**
     * Drops the partition and counts it into run {@code runId}, in one transaction; answers false if the lock
     * did not come within the timeout (nothing changed).
     */
    public Uni<Boolean> dropPartition(long runId, ArchivePartition partition) {
        return db.inTransaction(tx -> db.query(tx, PARTITION_LOCK_TIMEOUT, Tuple.tuple())
                .chain(() -> db.query(tx, dropPartition(partition), Tuple.tuple()))
                .chain(() -> db.query(tx, COUNT_DROPPED, Tuple.of(runId))))
                .replaceWith(true)
                .onFailure(ArchiveRepository::isLockTimeout).recoverWithItem(false);
    }

    /**
     * Makes the partitions of this month and the next {@code ahead}; answers how many it made, or empty if a
     * lock did not come within the timeout.
     */
    public Uni<Optional<Integer>> createPartitions(int ahead) {
        return db.inTransaction(tx -> db.query(tx, PARTITION_LOCK_TIMEOUT, Tuple.tuple())
                .chain(() -> db.query(tx, CREATE_PARTITIONS, Tuple.of(ahead))))
                .map(rows -> Optional.of(rows.iterator().next().getInteger("made")))
                .onFailure(ArchiveRepository::isLockTimeout).recoverWithItem(Optional.empty());
    }

    private static boolean isLockTimeout(Throwable failure) {
        return failure instanceof PgException pg && "55P03".equals(pg.getSqlState());
    }

    public Uni<Boolean> tryLock(SqlClient conn) {
        return db.query(conn, TRY_LOCK, Tuple.tuple()).map(rows -> rows.iterator().next().getBoolean("locked"));
    }

    public Uni<Void> unlock(SqlClient conn) {
        return db.query(conn, UNLOCK, Tuple.tuple()).replaceWithVoid();
    }

    /** Only under the lock: marks runs left running by a dead process failed; answers their ids. */
    public Uni<List<Long>> failStaleRuns(SqlClient conn) {
        return db.query(conn, FAIL_STALE, Tuple.tuple()).map(rows -> Db.mapRows(rows, row -> row.getLong("id")));
    }

    public Uni<ArchiveRun> startRun(SqlClient conn, ArchiveRun.Trigger trigger, int daysOld, int batchSize) {
        return failStaleRuns(conn)
                .chain(() -> db.query(conn, START_RUN, Tuple.of(trigger.value(), daysOld, batchSize)))
                .map(rows -> ArchiveRun.from(rows.iterator().next()));
    }

    /**
     * On the pool, not the run's connection: a run whose connection died must still be recorded.
     * Retried, because the pool may first hand out a connection that died with the run's.
     */
    public Uni<ArchiveRun> finishRun(long runId, ArchiveRun.State state, String error) {
        return Uni.createFrom().deferred(() -> db.query(FINISH_RUN, Tuple.of(runId, state.value(), error)))
                .onFailure().retry().withBackOff(Duration.ofMillis(100)).atMost(5)
                .map(rows -> ArchiveRun.from(rows.iterator().next()));
    }

    public Uni<Optional<ArchiveRun>> findRun(long runId) {
        return db.query(FIND_RUN, Tuple.of(runId)).map(rows -> Db.firstRow(rows).map(ArchiveRun::from));
    }

    public Uni<Optional<ArchiveRun>> findRunning() {
        return db.query(FIND_RUNNING, Tuple.tuple()).map(rows -> Db.firstRow(rows).map(ArchiveRun::from));
    }

    public Uni<List<ArchiveRun>> listRuns(int limit) {
        return db.query(LIST_RUNS, Tuple.of(limit)).map(rows -> Db.mapRows(rows, ArchiveRun::from));
    }

    public Uni<Optional<Instant>> lastSuccess() {
        return db.query(LAST_SUCCESS, Tuple.tuple()).map(rows -> Optional.ofNullable(
                Rows.instant(rows.iterator().next(), "finished_at")));
    }

    public Uni<Optional<Instant>> oldestCreatedAt(SqlClient conn) {
        return db.query(conn, OLDEST, Tuple.tuple()).map(rows -> Optional.ofNullable(
                Rows.instant(rows.iterator().next(), "oldest")));
    }

    /** Answers whether both tables were analyzed (false: autovacuum held one of them). */
    public Uni<Boolean> analyze() {
        return analyze(ANALYZE_JOBS).chain(jobs -> analyze(ANALYZE_ARCHIVE).map(archive -> jobs && archive));
    }

    private Uni<Boolean> analyze(NamedQuery table) {
        return db.inTransaction(tx -> db.query(tx, ANALYZE_LOCK_TIMEOUT, Tuple.tuple())
                .chain(() -> db.query(tx, table, Tuple.tuple())))
                .replaceWith(true)
                .onFailure(ArchiveRepository::isLockTimeout).recoverWithItem(false);
    }
}
