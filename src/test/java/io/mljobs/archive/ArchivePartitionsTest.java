package io.mljobs.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.mljobs.testing.PostgresTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;

/**
 * ml_jobs_archive is partitioned by month of archived_at: the months ahead are made before they are needed,
 * a row with no month goes to the default partition and moves into its month when that is made, and retention
 * (365 days here) drops whole months past it, deleting rows one by one only in the month it cuts through.
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "label", value = "partitions"))
class ArchivePartitionsTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final DateTimeFormatter SUFFIX = DateTimeFormatter.ofPattern("yyyy_MM");

    @Inject
    Pool pool;

    @Inject
    ArchiveService service;

    @Inject
    ArchiveRepository archive;

    /** Back to what start-up makes: this month, three ahead, the default partition; no rows. */
    @BeforeEach
    void onlyThePartitionsAhead() {
        sql("TRUNCATE ml_jobs, ml_jobs_archive");
        List<String> expected = new ArrayList<>(List.of("ml_jobs_archive_default"));
        for (int m = 0; m <= 3; m++) {
            expected.add(partition(thisMonth().plusMonths(m)));
        }
        for (String name : names("SELECT name FROM ml_jobs_archive_partitions()")) {
            if (!expected.contains(name)) {
                sql("DROP TABLE " + name);
            }
        }
        sql("SELECT ml_jobs_archive_create_partitions(3)");
    }

    @Test
    void startUpMakesThisMonthAndThreeAheadEachBoundedByUtcMonthStarts() {
        List<String> months = new ArrayList<>();
        for (Row row : rows("""
                SELECT name, lower_bound, upper_bound FROM ml_jobs_archive_partitions()
                 WHERE NOT is_default ORDER BY lower_bound
                """)) {
            months.add(row.getString("name"));
            YearMonth month = YearMonth.parse(row.getString("name").substring("ml_jobs_archive_".length()), SUFFIX);
            assertEquals(month.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC),
                    row.getOffsetDateTime("lower_bound").toInstant(), row.getString("name"));
            assertEquals(month.plusMonths(1).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC),
                    row.getOffsetDateTime("upper_bound").toInstant(), row.getString("name"));
        }
        assertEquals(List.of(partition(thisMonth()), partition(thisMonth().plusMonths(1)),
                partition(thisMonth().plusMonths(2)), partition(thisMonth().plusMonths(3))), months);
        assertEquals(1L, count("SELECT count(*) FROM ml_jobs_archive_partitions() WHERE is_default"));
        assertEquals(Optional.of(0), archive.createPartitions(3).await().atMost(WAIT), "nothing left to make");
    }

    @Test
    void archivalWritesIntoThisMonthsPartition() {
        sql("""
                INSERT INTO ml_jobs (input_text, status, created_at)
                SELECT 'old', 'completed', now() - interval '40 days' FROM generate_series(1, 300)
                """);
        ArchiveRun run = run(false);
        assertEquals(300L, run.archived());
        assertEquals(List.of(partition(thisMonth())),
                names("SELECT DISTINCT tableoid::regclass::text FROM ml_jobs_archive"));
    }

    @Test
    void rowsOfAMonthWithoutPartitionWaitInTheDefaultOneAndMoveWhenItIsMade() {
        YearMonth far = thisMonth().plusMonths(5);
        sql("""
                INSERT INTO ml_jobs_archive (id, job_uuid, input_text, status, created_at, archived_at)
                SELECT -g, gen_random_uuid(), 'ahead', 'completed', now(), '%s'::timestamptz + g * interval '1 minute'
                  FROM generate_series(1, 25) AS g
                """.formatted(far.atDay(2).atStartOfDay().atOffset(ZoneOffset.UTC)));
        assertEquals(25L, count("SELECT count(*) FROM ml_jobs_archive_default"));

        assertEquals(Optional.of(2), archive.createPartitions(5).await().atMost(WAIT));

        assertEquals(0L, count("SELECT count(*) FROM ml_jobs_archive_default"));
        assertEquals(25L, count("SELECT count(*) FROM " + partition(far)));
        assertEquals(25L, count("SELECT count(*) FROM ml_jobs_archive WHERE input_text = 'ahead'"));
    }

    @Test
    void retentionDropsWholeMonthsAndDeletesRowsOnlyInTheMonthItCutsThrough() {
        YearMonth cut = cutMonth();
        for (YearMonth month : List.of(cut.minusMonths(2), cut.minusMonths(1), cut)) {
            makePartition(month);
        }
        archived(cut.minusMonths(2), "dropped", 100, "%s + g * interval '1 minute'");
        archived(cut.minusMonths(1), "dropped", 100, "%s + g * interval '1 minute'");
        // In the month the cutoff falls in: 30 rows between its start and the cutoff, 20 after the cutoff.
        sql("""
                INSERT INTO ml_jobs_archive (id, job_uuid, input_text, status, created_at, archived_at)
                SELECT -g, gen_random_uuid(), CASE WHEN g <= 30 THEN 'past' ELSE 'kept' END, 'completed', now(),
                       CASE WHEN g <= 30 THEN m.start + (c.cutoff - m.start) * g / 31
                            ELSE c.cutoff + (m.start + interval '1 month' - c.cutoff) * (g - 30) / 21 END
                  FROM (SELECT now() - interval '365 days' AS cutoff) c,
                       (SELECT date_trunc('month', now() - interval '365 days', 'UTC') AS start) m,
                       generate_series(1, 50) AS g
                """);
        // No month of its own: the default partition, two years back.
        archived(cut.minusMonths(12), "past", 10, "%s + g * interval '1 minute'");
        archived(thisMonth(), "kept", 40, "least(now(), %s + g * interval '1 second')");
        assertEquals(10L, count("SELECT count(*) FROM ml_jobs_archive_default"));

        ArchiveRun run = run(true);

        assertEquals(ArchiveRun.State.SUCCEEDED, run.state());
        assertEquals(2, run.droppedPartitions(), "two months wholly past retention, dropped whole");
        assertEquals(40L, run.purged(), "deleted one by one: the cut month's 30 and the default partition's 10");
        assertFalse(exists(partition(cut.minusMonths(2))));
        assertFalse(exists(partition(cut.minusMonths(1))));
        assertTrue(exists(partition(cut)));
        assertEquals(0L, count("SELECT count(*) FROM ml_jobs_archive WHERE input_text <> 'kept'"));
        assertEquals(60L, count("SELECT count(*) FROM ml_jobs_archive WHERE input_text = 'kept'"));
        assertEquals(20L, count("SELECT count(*) FROM " + partition(cut)));
    }

    @Test
    void aMonthWhoseDropDoesNotGetItsLockInTimeIsLeftWholeForTheNextRun() {
        YearMonth old = cutMonth().minusMonths(3);
        makePartition(old);
        archived(old, "old", 100, "%s + g * interval '1 minute'");
        SqlConnection reader = pool.getConnection().await().atMost(WAIT);
        try {
            // A reader of the archive holds its lock until its transaction ends: DROP waits, then gives up.
            Transaction tx = reader.begin().await().atMost(WAIT);
            reader.query("SELECT count(*) FROM ml_jobs_archive").execute().await().atMost(WAIT);

            ArchiveRun blocked = run(true);

            assertEquals(ArchiveRun.State.SUCCEEDED, blocked.state());
            assertEquals(0, blocked.droppedPartitions());
            assertEquals(0L, blocked.purged(), "not deleted row by row instead");
            tx.rollback().await().atMost(WAIT);
        } finally {
            reader.close().await().atMost(WAIT);
        }
        assertEquals(100L, count("SELECT count(*) FROM " + partition(old)));

        ArchiveRun next = run(true);

        assertEquals(1, next.droppedPartitions());
        assertFalse(exists(partition(old)));
    }

    private ArchiveRun run(boolean withRetention) {
        ArchiveService.Start start = service.start(ArchiveRun.Trigger.SCHEDULE, 30, 5000, withRetention).await()
                .atMost(WAIT);
        return ((ArchiveService.Started) start).done().await().atMost(WAIT);
    }

    /** The month that retention's cutoff (365 days ago) falls in. */
    private static YearMonth cutMonth() {
        return YearMonth.from(LocalDate.now(ZoneOffset.UTC).minusDays(365));
    }

    private static YearMonth thisMonth() {
        return YearMonth.now(ZoneOffset.UTC);
    }

    private static String partition(YearMonth month) {
        return "ml_jobs_archive_" + month.format(SUFFIX);
    }

    private static String start(YearMonth month) {
        return "'" + month.atDay(1).atStartOfDay().atOffset(ZoneOffset.UTC) + "'::timestamptz";
    }

    private void makePartition(YearMonth month) {
        sql("CREATE TABLE %s PARTITION OF ml_jobs_archive FOR VALUES FROM (%s) TO (%s)".formatted(partition(month),
                start(month), start(month.plusMonths(1))));
    }

    /** n rows archived in the month, at the given expression of the month's start and g (1..n). */
    private void archived(YearMonth month, String text, int n, String at) {
        sql("""
                INSERT INTO ml_jobs_archive (id, job_uuid, input_text, status, created_at, archived_at)
                SELECT -g - %d, gen_random_uuid(), '%s', 'completed', now(), %s FROM generate_series(1, %d) AS g
                """.formatted(1_000 + Math.abs(month.hashCode() % 100_000) * 1_000L, text,
                at.formatted(start(month)), n));
    }

    private boolean exists(String table) {
        return count("SELECT count(*) FROM pg_class WHERE relname = '" + table + "'") > 0;
    }

    private List<String> names(String sql) {
        List<String> names = new ArrayList<>();
        rows(sql).forEach(row -> names.add(row.getString(0)));
        return names;
    }

    private Iterable<Row> rows(String sql) {
        return pool.query(sql).execute().await().atMost(WAIT);
    }

    private long count(String sql) {
        return rows(sql).iterator().next().getLong(0);
    }

    private void sql(String sql) {
        pool.query(sql).execute().await().atMost(WAIT);
    }
}
