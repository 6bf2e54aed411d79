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
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Reads and folds the counters that ml_jobs' triggers keep (migrations V5, V9, V14): totals per
 * status and per-minute and hourly creation buckets, which only the compactor writes, plus the
 * changes the triggers appended since its last run. A read costs the same at 10M rows as at 1K: it
 * sums a hundred or so counter rows, a few seconds of changes and the index entries of under a
 * minute of jobs.
 */
@ApplicationScoped
public class StatsRepository implements QueryOwner {

    /**
     * last_24_hours = the index range from (now - 24 h) to the next whole minute, plus the minute
     * buckets from there to the next whole hour, plus the hourly buckets from there on, plus the
     * changes not folded yet from the next whole minute on (V5, V9, V14). One statement, one
     * snapshot: a change is either still appended or folded, never both, and the counts agree with
     * each other. On a read replica if one serves.
     */
    public static final NamedQuery READ = NamedQuery.read("stats.read", """
            WITH counts AS (
                SELECT status, sum(n) AS n
                  FROM (SELECT status, n FROM ml_job_counts
                        UNION ALL
                        SELECT status, n FROM ml_job_count_changes) AS totals_and_changes
                 GROUP BY status
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
                     WHERE hour >= since.whole_hours)
                 + (SELECT COALESCE(sum(n), 0) FROM ml_job_count_changes, since
                     WHERE created_minute >= since.whole_minutes) AS last_24_hours,
                   now() AS as_of
            """);

    /**
     * Moves every visible change into the totals and buckets, atomically: a read sees each change
     * either appended or folded. The triggers only append, so this is the one writer of the totals;
     * two replicas compacting at once fold disjoint sets (a change deleted by one is skipped by the
     * other). Changes of jobs created over 26 hours ago have no bucket a read will reach.
     */
    static final NamedQuery FOLD_CHANGES = NamedQuery.background("stats.fold_changes", """
            WITH folded AS (
                DELETE FROM ml_job_count_changes RETURNING status, created_minute, n
            ), totals AS (
                INSERT INTO ml_job_counts AS c (status, slot, n)
                SELECT status, 0, sum(n) FROM folded GROUP BY status ORDER BY status
                ON CONFLICT (status, slot) DO UPDATE SET n = c.n + excluded.n
            ), minutes AS (
                INSERT INTO ml_job_created_minutely AS m (minute, slot, n)
                SELECT created_minute, 0, sum(n) FROM folded
                 WHERE created_minute >= now() - interval '26 hours'
                 GROUP BY created_minute ORDER BY created_minute
                ON CONFLICT (minute, slot) DO UPDATE SET n = m.n + excluded.n
            ), hours AS (
                INSERT INTO ml_job_created_hourly AS h (hour, slot, n)
                SELECT date_trunc('hour', created_minute), 0, sum(n) FROM folded
                 WHERE created_minute >= now() - interval '26 hours'
                 GROUP BY 1 ORDER BY 1
                ON CONFLICT (hour, slot) DO UPDATE SET n = h.n + excluded.n
            )
            SELECT count(*) FROM folded
            """);

    /** Buckets no read will reach again (a read looks back 24 hours). */
    static final NamedQuery DROP_OLD_MINUTES = NamedQuery.background("stats.drop_old_minutes",
            "DELETE FROM ml_job_created_minutely WHERE minute < now() - interval '26 hours'");

    static final NamedQuery DROP_OLD_HOURS = NamedQuery.background("stats.drop_old_hours",
            "DELETE FROM ml_job_created_hourly WHERE hour < now() - interval '26 hours'");

    private final Db db;

    public StatsRepository(Db db) {
        this.db = db;
    }

    @Override
    public List<String> queryNames() {
        return QueryOwner.names(READ, FOLD_CHANGES, DROP_OLD_MINUTES, DROP_OLD_HOURS);
    }

    @Override
    public List<String> replicaQueryNames() {
        return QueryOwner.replicaNames(READ, FOLD_CHANGES, DROP_OLD_MINUTES, DROP_OLD_HOURS);
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

    /** Answers how many changes were folded into the totals. */
    public Uni<Long> compactCounters() {
        return db.query(FOLD_CHANGES, Tuple.tuple()).map(rows -> rows.iterator().next().getLong(0))
                .call(() -> db.query(DROP_OLD_MINUTES, Tuple.tuple()))
                .call(() -> db.query(DROP_OLD_HOURS, Tuple.tuple()));
    }
}
