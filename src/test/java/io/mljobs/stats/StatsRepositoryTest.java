package io.mljobs.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.mljobs.testing.JsonHttp;
import io.mljobs.testing.PostgresTestResource;
import io.mljobs.testing.Waits;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The counters behind {@code GET /jobs/stats} stay equal to a full count while batch inserts,
 * claims, completions, deletes and compactions run at once.
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "label", value = "counts"))
class StatsRepositoryTest {

    @Inject
    Pool pool;

    @Inject
    StatsRepository counts;

    @TestHTTPResource("/")
    URI base;

    @Test
    void countsStayExactUnderConcurrentWrites() throws Exception {
        // Jobs on both sides of the 24-hour edge and of whole-hour buckets, plus one from the future.
        pool.query("""
                INSERT INTO ml_jobs (input_text, status, created_at)
                SELECT 'edge', 'completed', now() - offs
                  FROM unnest(ARRAY[interval '23 hours 59 minutes', interval '24 hours 1 minute',
                                    interval '2 hours', interval '25 hours 30 minutes', interval '-5 minutes',
                                    interval '40 days']) AS offs
                """).execute().await().atMost(Waits.BOUND);
        JsonHttp http = new JsonHttp(base);
        ExecutorService pool8 = Executors.newFixedThreadPool(6);
        List<Callable<Void>> work = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            work.add(() -> {
                String batch = IntStream.range(0, 50).mapToObj(i -> "{\"input_text\": \"count me\"}")
                        .collect(Collectors.joining(", ", "{\"jobs\": [", "]}"));
                for (int i = 0; i < 40; i++) {
                    assertEquals(201, http.post("/jobs/batch", batch).status());
                }
                return null;
            });
        }
        for (int t = 0; t < 2; t++) {
            String worker = "counter-" + t;
            work.add(() -> {
                for (int i = 0; i < 40; i++) {
                    JsonNode jobs = http.post("/jobs/claim", "{\"worker_id\": \"" + worker + "\", \"limit\": 20}")
                            .body().get("jobs");
                    StringBuilder results = new StringBuilder("{\"results\": [");
                    // The last claimed job of each round stays running.
                    for (int j = 0; j < jobs.size() - 1; j++) {
                        results.append(j == 0 ? "" : ", ").append("{\"job_uuid\": \"")
                                .append(jobs.get(j).get("job_uuid").asText())
                                .append(j % 2 == 0 ? "\", \"status\": \"completed\"}"
                                        : "\", \"status\": \"failed\", \"error\": \"e\"}");
                    }
                    if (jobs.size() > 1) {
                        assertEquals(200, http.post("/jobs/results", results.append("]}").toString()).status());
                    }
                }
                return null;
            });
        }
        work.add(() -> {
            for (int i = 0; i < 40; i++) {
                pool.query("""
                        DELETE FROM ml_jobs WHERE id IN (
                            SELECT id FROM ml_jobs WHERE status IN ('completed', 'failed') AND input_text <> 'edge'
                             ORDER BY id LIMIT 10)
                        """).execute().await().atMost(Waits.BOUND);
            }
            return null;
        });
        work.add(() -> {
            for (int i = 0; i < 20; i++) {
                counts.compactCounters().await().atMost(Waits.BOUND);
                Thread.sleep(20);
            }
            return null;
        });
        for (Future<Void> done : pool8.invokeAll(work)) {
            done.get();
        }
        pool8.shutdown();

        JsonNode stats = http.get("/jobs/stats").body();
        Map<String, Long> actual = new HashMap<>(Map.of("pending", 0L, "running", 0L, "completed", 0L, "failed", 0L));
        for (Row row : pool.query("SELECT status, count(*) FROM ml_jobs GROUP BY status").execute().await()
                .atMost(Waits.BOUND)) {
            actual.put(row.getString(0), row.getLong(1));
        }
        Map<String, Long> reported = new HashMap<>();
        stats.get("by_status").fields().forEachRemaining(e -> reported.put(e.getKey(), e.getValue().asLong()));
        assertEquals(actual, reported);
        assertEquals(actual.values().stream().mapToLong(Long::longValue).sum(), stats.get("total").asLong());
        assertTrue(actual.get("running") > 0 && actual.get("completed") > 0 && actual.get("pending") > 0, actual::toString);

        OffsetDateTime asOf = OffsetDateTime.parse(stats.get("as_of").asText());
        long last24 = pool
                .preparedQuery("SELECT count(*) FROM ml_jobs WHERE created_at >= $1::timestamptz - interval '24 hours'")
                .execute(Tuple.of(asOf)).await().atMost(Waits.BOUND).iterator().next().getLong(0);
        assertEquals(last24, stats.get("last_24_hours").asLong());
    }

    /** Jobs every 61 s around the 24-hour edge land in the index range, minute and hour buckets. */
    @Test
    void last24HoursIsExactAcrossMinuteAndHourEdges() {
        pool.query(
                """
                        INSERT INTO ml_jobs (input_text, status, created_at)
                        SELECT 'edge-minutes', 'pending', now() - interval '24 hours' + k * interval '61 seconds' + interval '0.5 seconds'
                          FROM generate_series(-5, 65) AS k
                        """)
                .execute().await().atMost(Waits.BOUND);
        assertLast24HoursExact();
        counts.compactCounters().await().atMost(Waits.BOUND);
        assertLast24HoursExact();
    }

    private void assertLast24HoursExact() {
        JsonNode stats = new JsonHttp(base).get("/jobs/stats").body();
        OffsetDateTime asOf = OffsetDateTime.parse(stats.get("as_of").asText());
        long last24 = pool
                .preparedQuery("SELECT count(*) FROM ml_jobs WHERE created_at >= $1::timestamptz - interval '24 hours'")
                .execute(Tuple.of(asOf)).await().atMost(Waits.BOUND).iterator().next().getLong(0);
        assertEquals(last24, stats.get("last_24_hours").asLong());
    }

    @Test
    void countsSurviveCompaction() {
        pool.query("INSERT INTO ml_jobs (input_text) VALUES ('to fold')").execute().await().atMost(Waits.BOUND);
        assertTrue(countRows("ml_job_count_changes") > 0);
        JsonNode before = new JsonHttp(base).get("/jobs/stats").body();
        counts.compactCounters().await().atMost(Waits.BOUND);
        JsonNode after = new JsonHttp(base).get("/jobs/stats").body();
        assertEquals(before.get("by_status"), after.get("by_status"));
        assertEquals(before.get("last_24_hours"), after.get("last_24_hours"));
        assertEquals(0, countRows("ml_job_count_changes"));
    }

    /**
     * Writers only append to the counters, never update a row: an update's old version outlives
     * vacuum while a long report's snapshot is open, and the next writer walks all of them (V14).
     */
    @Test
    void writersOnlyAppendCounterChanges() {
        // In one transaction, rolled back. pg_stat_xact_user_tables may also hold earlier transactions'
        // counts not flushed yet, but nothing is flushed inside a transaction: the difference is ours.
        String written = """
                SELECT COALESCE(sum(n_tup_ins) FILTER (WHERE relname = 'ml_job_count_changes'), 0) AS appended,
                       COALESCE(sum(n_tup_ins + n_tup_upd + n_tup_del)
                           FILTER (WHERE relname <> 'ml_job_count_changes'), 0) AS rewritten
                  FROM pg_stat_xact_user_tables
                 WHERE relname IN ('ml_job_count_changes', 'ml_job_counts', 'ml_job_created_minutely',
                                   'ml_job_created_hourly')
                """;
        List<Row> seen = pool.withConnection(conn -> conn.query("BEGIN").execute()
                .chain(() -> conn.query(written).execute())
                .chain(before -> conn.query("INSERT INTO ml_jobs (input_text) SELECT 'append' FROM generate_series(1, 10)")
                        .execute()
                        .chain(() -> conn.query("UPDATE ml_jobs SET status = 'running' WHERE input_text = 'append'").execute())
                        .chain(() -> conn.query("DELETE FROM ml_jobs WHERE input_text = 'append'").execute())
                        .chain(() -> conn.query(written).execute())
                        .map(after -> List.of(before.iterator().next(), after.iterator().next())))
                .call(() -> conn.query("ROLLBACK").execute()))
                .await().atMost(Waits.BOUND);
        // pending +10 (with its creation minute), pending -10 / running +10, running -10 (with its minute).
        assertEquals(4, seen.get(1).getLong("appended") - seen.get(0).getLong("appended"));
        assertEquals(0, seen.get(1).getLong("rewritten") - seen.get(0).getLong("rewritten"));
    }

    private long countRows(String table) {
        return pool.query("SELECT count(*) FROM " + table).execute().await().atMost(Waits.BOUND).iterator().next()
                .getLong(0);
    }
}
