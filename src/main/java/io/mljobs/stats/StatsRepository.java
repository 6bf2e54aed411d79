package io.mljobs.stats;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import io.mljobs.db.Db;
import io.mljobs.db.NamedQuery;
import io.mljobs.db.QueryOwner;
import io.mljobs.db.Rows;
import io.mljobs.job.JobStatus;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Reads and tidies the counters that ml_jobs' triggers keep (migrations V5, V9): per-status slots
 * and hourly and per-minute creation buckets. A read costs the same at 10M rows as at 1K: it sums
 * at most a hundred or so counter rows and counts index entries for under a minute of jobs.
 */
@ApplicationScoped
public class StatsRepository implements QueryOwner {

    /**
     * last_24_hours = the index range from (now - 24 h) to the next whole minute, plus the minute
     * buckets from there to the next whole hour, plus the hourly buckets from there on (V5, V9).
     * One statement, one snapshot: the counts agree with each other. On a read replica if one serves.
     */
    public static final NamedQuery READ = NamedQuery.read("stats.read", """
            WITH counts AS (
                SELECT status, sum(n) AS n FROM ml_job_counts GROUP BY status
            ), since AS (
                SELECT now() - interval '24 hours' AS start,
                       date_trunc('minute', now() - interval '24 hours') + interval '1 minute' AS whole_minutes,
                       date_trunc('hour', now() - interval '24 hours') + interval '1 hour' AS whole_hours
            )
            SELECT COALESCE((SELECT n FROM counts WHERE status = 'pending'), 0)::bigint AS pending,
                   COALESCE((SELECT n FROM counts WHERE status = 'running'), 0)::bigint AS running,
                   COALESCE((SELECT n FROM counts WHERE status = 'completed'), 0)::bigint AS completed,
                   COALESCE((SELECT n FROM counts WHERE status = 'failed'), 0)::bigint AS failed,
                   (SELECT count(*) FROM ml_jobs, since
                     WHERE created_at >= since.start AND created_at < since.whole_minutes)
                 + (SELECT COALESCE(sum(n), 0) FROM ml_job_created_minutely, since
                     WHERE minute >= since.whole_minutes AND minute < since.whole_hours)
                 + (SELECT COALESCE(sum(n), 0) FROM ml_job_created_hourly, since
                     WHERE hour >= since.whole_hours) AS last_24_hours,
                   now() AS as_of
            """);

    /**
     * Folds every status's slots into slot 0, atomically: a read sees the sum before or after.
     * Rows are locked in (status, slot) order, the order the triggers upsert in; a plain DELETE
     * locks in scan order and deadlocked with a trigger holding one status's slot while it
     * waited for another's.
     */
    static final NamedQuery COMPACT_STATUS = NamedQuery.background("stats.compact_status", """
            WITH doomed AS (
                SELECT status, slot FROM ml_job_counts WHERE slot <> 0 ORDER BY status, slot FOR UPDATE
            ), folded AS (
                DELETE FROM ml_job_counts c USING doomed d
                 WHERE c.status = d.status AND c.slot = d.slot
                RETURNING c.status, c.n
            )
            INSERT INTO ml_job_counts AS c (status, slot, n)
            SELECT status, 0, sum(n) FROM folded GROUP BY status ORDER BY status
            ON CONFLICT (status, slot) DO UPDATE SET n = c.n + excluded.n
            """);

    static final NamedQuery COMPACT_HOURLY = compactBuckets("stats.compact_hourly", "ml_job_created_hourly", "hour");

    static final NamedQuery COMPACT_MINUTELY = compactBuckets("stats.compact_minutely", "ml_job_created_minutely", "minute");

    private final Db db;

    public StatsRepository(Db db) {
        this.db = db;
    }

    @Override
    public List<String> queryNames() {
        return QueryOwner.names(READ, COMPACT_STATUS, COMPACT_HOURLY, COMPACT_MINUTELY);
    }

    @Override
    public List<String> replicaQueryNames() {
        return QueryOwner.replicaNames(READ, COMPACT_STATUS, COMPACT_HOURLY, COMPACT_MINUTELY);
    }

    public Uni<JobStats> readStats() {
        return db.query(READ, Tuple.tuple()).map(rows -> {
            Row row = rows.iterator().next();
            Map<String, Long> byStatus = new LinkedHashMap<>();
            long total = 0;
            for (JobStatus status : JobStatus.values()) {
                long n = row.getLong(status.value());
                byStatus.put(status.value(), n);
                total += n;
            }
            return new JobStats(byStatus, total, row.getLong("last_24_hours"),
                    Rows.instant(row, "as_of"));
        });
    }

    /** Answers how many counter rows were folded away. */
    public Uni<Integer> compactCounters() {
        return db.query(COMPACT_STATUS, Tuple.tuple()).map(RowSet::rowCount)
                .chain(status -> db.query(COMPACT_HOURLY, Tuple.tuple()).map(hourly -> status + hourly.rowCount()))
                .chain(folded -> db.query(COMPACT_MINUTELY, Tuple.tuple()).map(minutely -> folded + minutely.rowCount()));
    }

    /**
     * Folds a creation-bucket table's slots into slot 0 and drops buckets no read will reach again;
     * rows are locked in (bucket, slot) order, the triggers' order, as in COMPACT_STATUS.
     */
    private static NamedQuery compactBuckets(String name, String table, String bucket) {
        return NamedQuery.background(name, """
                WITH doomed AS (
                    SELECT %2$s, slot FROM %1$s
                     WHERE slot <> 0 OR %2$s < now() - interval '26 hours'
                     ORDER BY %2$s, slot FOR UPDATE
                ), folded AS (
                    DELETE FROM %1$s b USING doomed d
                     WHERE b.%2$s = d.%2$s AND b.slot = d.slot
                    RETURNING b.%2$s, b.n
                )
                INSERT INTO %1$s AS b (%2$s, slot, n)
                SELECT %2$s, 0, sum(n) FROM folded WHERE %2$s >= now() - interval '26 hours'
                 GROUP BY %2$s ORDER BY %2$s
                ON CONFLICT (%2$s, slot) DO UPDATE SET n = b.n + excluded.n
                """.formatted(table, bucket));
    }
}
