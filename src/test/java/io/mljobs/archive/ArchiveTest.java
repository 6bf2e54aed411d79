package io.mljobs.archive;

import static io.mljobs.testing.Admin.asAdmin;
import static io.mljobs.testing.Problems.expectProblem;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;

import io.mljobs.testing.Admin;
import io.mljobs.testing.JsonHttp;
import io.mljobs.testing.PostgresTestResource;
import io.mljobs.testing.Waits;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Archival loses nothing and duplicates nothing: not when statuses change during a run, not when a
 * run is killed midway and started again; and only one run goes at a time.
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "label", value = "archive"))
class ArchiveTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Inject
    Pool pool;

    @TestHTTPResource("/")
    URI base;

    @BeforeEach
    void emptyBothTables() {
        sql("TRUNCATE ml_jobs, ml_jobs_archive");
        waitForNoRun();
    }

    @Test
    void movesOnlyOldFinishedJobsWithEveryColumnAndKeepsCountsExact() {
        seed(300, "completed", "40 days");
        seed(200, "failed", "40 days");
        seed(50, "pending", "40 days");
        seed(50, "running", "40 days");
        seed(100, "completed", "10 days");
        Row before = one(
                "SELECT * FROM ml_jobs WHERE status = 'completed' AND created_at < now() - interval '30 days' LIMIT 1");

        JsonPath result = asAdmin().queryParam("days_old", 30).post("/admin/archive-jobs")
                .then().statusCode(200).extract().jsonPath();

        assertEquals(500, result.getInt("archived_count"));
        assertNotNull(result.getString("cutoff_date"));
        assertEquals("succeeded", result.getString("run.state"));
        assertEquals(500L, count("ml_jobs_archive"));
        assertEquals(200L, count("ml_jobs"));
        assertEquals(0L, one("SELECT count(*) FROM ml_jobs WHERE status IN ('completed', 'failed') "
                + "AND created_at < now() - interval '30 days'").getLong(0));
        Row after = one("SELECT * FROM ml_jobs_archive WHERE id = " + before.getLong("id"));
        for (String column : List.of("job_uuid", "input_text", "status", "result_score", "result_label", "created_at",
                "started_at", "completed_at", "worker_id", "heartbeat_at", "error")) {
            assertEquals(before.getValue(column), after.getValue(column), column);
        }
        assertNotNull(after.getValue("archived_at"));
        assertCountsExact();
    }

    @Test
    void statusChangesDuringARunLoseNothing() throws Exception {
        seed(10_000, "completed", "40 days");
        List<String> running = seed(3_000, "running", "40 days");
        Set<String> all = Set.copyOf(uuids("SELECT job_uuid::text FROM ml_jobs"));
        JsonHttp http = new JsonHttp(base, Admin.BASIC_AUTH);

        ExecutorService workers = Executors.newFixedThreadPool(2);
        Future<?> finishing = workers.submit(() -> {
            // Workers report the old running jobs while the archival walks the same rows.
            for (int i = 0; i < running.size(); i += 100) {
                StringBuilder body = new StringBuilder("{\"results\": [");
                for (int j = i; j < Math.min(i + 100, running.size()); j++) {
                    body.append(j == i ? "" : ", ").append("{\"job_uuid\": \"").append(running.get(j))
                            .append("\", \"status\": \"completed\"}");
                }
                assertEquals(200, http.post("/jobs/results", body.append("]}").toString()).status());
            }
        });
        JsonHttp.Reply started = http.post("/admin/archive-jobs?days_old=30&batch_size=200", "");
        finishing.get();
        workers.shutdown();
        assertTrue(started.status() == 200 || started.status() == 202, String.valueOf(started.status()));
        waitForNoRun();

        assertInvariant(all);
        assertCountsExact();
    }

    @Test
    void runKilledMidwayAndStartedAgainNeitherLosesNorDuplicates() throws Exception {
        seed(30_000, "completed", "40 days");
        Set<String> all = Set.copyOf(uuids("SELECT job_uuid::text FROM ml_jobs"));

        JsonHttp http = new JsonHttp(base, Admin.BASIC_AUTH);
        CompletableFuture<JsonHttp.Reply> first = CompletableFuture.supplyAsync(
                () -> http.post("/admin/archive-jobs?days_old=30&batch_size=50", ""));
        // Kill the run's database session once some batches are in, as a crash would.
        long runId = 0;
        for (int tries = 0; tries < 1_000 && runId == 0; tries++) {
            for (Row run : pool.query("""
                    SELECT id FROM ml_archive_runs, LATERAL (
                        SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                         WHERE query LIKE 'WITH batch AS%' AND pid <> pg_backend_pid()) AS killed
                     WHERE state = 'running' AND archived > 0
                    """).execute().await().atMost(Waits.BOUND)) {
                runId = run.getLong("id");
            }
            Thread.sleep(5);
        }
        assertTrue(runId > 0, "the run was still going when its session was killed");
        assertEquals(500, first.get().status(), String.valueOf(first.get().body()));
        waitForNoRun();
        JsonNode killedRun = new JsonHttp(base, Admin.BASIC_AUTH).get("/admin/archive-runs/" + runId).body();
        assertEquals("failed", killedRun.get("state").asText());
        long archivedBefore = count("ml_jobs_archive");
        assertTrue(archivedBefore > 0 && archivedBefore < 30_000, "stopped midway: " + archivedBefore);
        assertInvariant(all);

        asAdmin().queryParam("days_old", 30).post("/admin/archive-jobs").then().statusCode(200)
                .body("archived_count", equalTo((int) (30_000 - archivedBefore)));
        assertEquals(30_000L, count("ml_jobs_archive"));
        assertInvariant(all);
        assertCountsExact();
    }

    @RepeatedTest(3)
    void runWhoseConnectionDiesIsFailedAtOnceWithExactlyTheRowsItCommitted() throws Exception {
        seed(30_000, "completed", "40 days");
        JsonHttp http = new JsonHttp(base, Admin.BASIC_AUTH);
        CompletableFuture<JsonHttp.Reply> reply = CompletableFuture.supplyAsync(
                () -> http.post("/admin/archive-jobs?days_old=30&batch_size=20", ""));
        // Kill every backend moving a batch, as a network cut or a server-side kill would.
        long runId = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (runId == 0 && System.nanoTime() < deadline) {
            for (Row run : pool.query("""
                    SELECT id FROM ml_archive_runs, LATERAL (
                        SELECT count(pg_terminate_backend(pid)) AS killed FROM pg_stat_activity
                         WHERE query LIKE 'WITH batch AS%' AND pid <> pg_backend_pid()) AS k
                     WHERE state = 'running' AND archived >= 1000 AND k.killed > 0
                    """).execute().await().atMost(WAIT)) {
                runId = run.getLong("id");
            }
        }
        assertTrue(runId > 0, "the run's session was killed while it went");
        JsonHttp.Reply failedRun = reply.get(30, TimeUnit.SECONDS);
        assertEquals(500, failedRun.status());
        assertEquals("/problems/archive-failed", failedRun.body().path("type").asText());

        // Failed at once, not left running for the next run to find.
        Row run = one("SELECT state, archived, started_at FROM ml_archive_runs WHERE id = " + runId);
        assertEquals("failed", run.getString("state"));
        long committed = count("ml_jobs_archive");
        assertTrue(committed > 0 && committed < 30_000, "stopped midway: " + committed);
        assertEquals(committed, run.getLong("archived"), "the run counts exactly the rows it committed");
        assertEquals(committed, one("SELECT count(*) FROM ml_jobs_archive WHERE archived_at >= $1",
                Tuple.of(run.getOffsetDateTime("started_at"))).getLong(0));
        assertEquals(30_000L - committed, count("ml_jobs"));
    }

    @Test
    void runLeftRunningByAStoppedProcessIsMarkedFailedWithItsCounts() {
        long stale = one("""
                INSERT INTO ml_archive_runs (trigger, state, days_old, cutoff, batch_size, archived, batches)
                VALUES ('schedule', 'running', 30, now() - interval '30 days', 100, 1234, 13) RETURNING id
                """).getLong(0);

        asAdmin().post("/admin/archive-jobs").then().statusCode(200);

        asAdmin().get("/admin/archive-runs/" + stale).then().statusCode(200)
                .body("state", equalTo("failed"))
                .body("archived", equalTo(1234))
                .body("batches", equalTo(13))
                .body("finished_at", org.hamcrest.Matchers.notNullValue())
                .body("error", containsString("stopped"));
    }

    @Test
    void aRequestAfterAFinishedRunIsNeverAConflict() {
        Map<Integer, Integer> statuses = new HashMap<>();
        for (int i = 0; i < 100; i++) {
            seed(5, "completed", "40 days");
            int status = asAdmin().post("/admin/archive-jobs").then().extract().statusCode();
            statuses.merge(status, 1, Integer::sum);
        }
        assertEquals(Map.of(200, 100), statuses);
        assertEquals(500L, count("ml_jobs_archive"));
    }

    @Test
    void rowLockedByAWriterIsLeftForTheNextRunAndTheRunGoesOn() {
        seed(2_000, "completed", "40 days");
        long lockedId = one("SELECT id FROM ml_jobs ORDER BY created_at, id OFFSET 10 LIMIT 1").getLong(0);
        SqlConnection writer = pool.getConnection().await().atMost(WAIT);
        try {
            Transaction tx = writer.begin().await().atMost(WAIT);
            writer.preparedQuery("SELECT id FROM ml_jobs WHERE id = $1 FOR UPDATE").execute(Tuple.of(lockedId))
                    .await().atMost(WAIT);

            asAdmin().queryParam("batch_size", 100).post("/admin/archive-jobs").then().statusCode(200)
                    .body("archived_count", equalTo(1_999));
            assertEquals(1L, count("ml_jobs"));

            tx.rollback().await().atMost(WAIT);
        } finally {
            writer.close().await().atMost(WAIT);
        }
        asAdmin().post("/admin/archive-jobs").then().statusCode(200).body("archived_count", equalTo(1));
    }

    @Test
    void twoConcurrentRequestsMakeOneRunAndOneConflict() throws Exception {
        seed(20_000, "completed", "40 days");
        long lastRunBefore = one("SELECT COALESCE(max(id), 0) FROM ml_archive_runs").getLong(0);
        JsonHttp http = new JsonHttp(base, Admin.BASIC_AUTH);
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<JsonHttp.Reply>> replies = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            replies.add(CompletableFuture.supplyAsync(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                return http.post("/admin/archive-jobs?days_old=30&batch_size=20", "");
            }));
        }
        go.countDown();
        Map<Integer, JsonNode> byStatus = new HashMap<>();
        for (CompletableFuture<JsonHttp.Reply> reply : replies) {
            byStatus.put(reply.get().status(), reply.get().body());
        }

        assertTrue(byStatus.containsKey(409), byStatus.toString());
        assertTrue(byStatus.containsKey(200) || byStatus.containsKey(202), byStatus.toString());
        JsonNode conflict = byStatus.get(409);
        assertEquals("/problems/archive-running", conflict.get("type").asText());
        assertTrue(conflict.get("detail").asText().contains("run "), conflict.toString());
        waitForNoRun();
        Row runs = one("SELECT count(*), min(state), min(archived) FROM ml_archive_runs WHERE id > " + lastRunBefore);
        assertEquals(1L, runs.getLong(0), "one run");
        assertEquals("succeeded", runs.getString(1));
        assertEquals(20_000L, runs.getLong(2));
    }

    @Test
    void slowRunAnswersAcceptedWithItsUrl() {
        seed(20_000, "completed", "40 days");
        // A writer holds the archive table, so the run is still going when the sync wait (5 s) ends,
        // however fast this machine moves batches today.
        SqlConnection writer = pool.getConnection().await().atMost(WAIT);
        String location;
        try {
            Transaction tx = writer.begin().await().atMost(WAIT);
            writer.query("LOCK TABLE ml_jobs_archive IN SHARE MODE").execute().await().atMost(WAIT);
            location = asAdmin().queryParam("batch_size", 10).post("/admin/archive-jobs")
                    .then().statusCode(202).body("state", equalTo("running")).extract().header("Location");
            asAdmin().get(location).then().statusCode(200).body("trigger", equalTo("request"))
                    .body("batch_size", equalTo(10)).body("days_old", equalTo(30));
            tx.rollback().await().atMost(WAIT);
        } finally {
            writer.close().await().atMost(WAIT);
        }
        waitForNoRun();
        asAdmin().get(location).then().statusCode(200).body("state", equalTo("succeeded"))
                .body("archived", equalTo(20_000));
    }

    @ParameterizedTest
    @ValueSource(strings = { "days_old=0", "days_old=3651", "days_old=-1", "days_old=abc", "days_old=1.5",
            "batch_size=0", "batch_size=50001" })
    void badParametersAreBadRequests(String query) {
        expectProblem(asAdmin().urlEncodingEnabled(false).post("/admin/archive-jobs?" + query).then(), 400,
                "invalid-parameter");
    }

    @Test
    void unknownOrMalformedRunIdIsAProblem() {
        expectProblem(asAdmin().get("/admin/archive-runs/999999").then(), 404, "not-found");
        expectProblem(asAdmin().get("/admin/archive-runs/abc").then(), 400, "invalid-parameter").body("title",
                containsString("id"));
    }

    private List<String> seed(int n, String status, String age) {
        return uuids("""
                INSERT INTO ml_jobs (input_text, status, created_at, started_at, completed_at, worker_id, heartbeat_at,
                                     result_score, result_label)
                SELECT 'archive me ' || g, '%1$s', now() - interval '%2$s' - g * interval '1 second',
                       now() - interval '%2$s', CASE WHEN '%1$s' IN ('completed', 'failed') THEN now() END,
                       CASE WHEN '%1$s' <> 'pending' THEN 'w' END, CASE WHEN '%1$s' = 'running' THEN now() END,
                       0.5, 'label'
                  FROM generate_series(1, %3$d) AS g
                RETURNING job_uuid::text
                """.formatted(status, age, n));
    }

    private void assertInvariant(Set<String> all) {
        List<String> live = uuids("SELECT job_uuid::text FROM ml_jobs");
        List<String> archived = uuids("SELECT job_uuid::text FROM ml_jobs_archive");
        assertEquals(all.size(), live.size() + archived.size(), "every job in exactly one table");
        Set<String> union = new java.util.HashSet<>(live);
        union.addAll(archived);
        assertEquals(all, union, "no job lost");
    }

    private void assertCountsExact() {
        JsonNode stats = new JsonHttp(base).get("/jobs/stats").body();
        Map<String, Long> actual = new HashMap<>(Map.of("pending", 0L, "running", 0L, "completed", 0L, "failed", 0L));
        for (Row row : pool.query("SELECT status, count(*) FROM ml_jobs GROUP BY status").execute().await()
                .atMost(Waits.BOUND)) {
            actual.put(row.getString(0), row.getLong(1));
        }
        actual.forEach((status, n) -> assertEquals(n, stats.get("by_status").get(status).asLong(), status));
    }

    private void waitForNoRun() {
        for (int tries = 0; tries < 600; tries++) {
            if (one("SELECT count(*) FROM ml_archive_runs WHERE state = 'running'").getLong(0) == 0) {
                return;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
        throw new AssertionError("an archive run is still going after 30 s");
    }

    private List<String> uuids(String sql) {
        List<String> uuids = new ArrayList<>();
        pool.query(sql).execute().await().atMost(WAIT).forEach(row -> uuids.add(row.getString(0)));
        return uuids;
    }

    private long count(String table) {
        return one("SELECT count(*) FROM " + table).getLong(0);
    }

    private Row one(String sql) {
        return pool.query(sql).execute().await().atMost(WAIT).iterator().next();
    }

    private Row one(String sql, Tuple args) {
        return pool.preparedQuery(sql).execute(args).await().atMost(WAIT).iterator().next();
    }

    private void sql(String sql) {
        pool.query(sql).execute().await().atMost(WAIT);
    }
}
