package io.mljobs.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.MeterRegistry;
import io.mljobs.db.Notifications;
import io.mljobs.testing.LocalPostgres;
import io.mljobs.testing.PostgresTestResource;
import io.mljobs.testing.Waits;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * {@code POST /jobs/claim} with {@code wait_seconds}: a waiting claim is woken by a job submitted through the API or
 * inserted in SQL, ends empty at its deadline, holds no connection and runs no query while it waits, survives a
 * restart of PostgreSQL without sleeping through a job, never shares a job with another claim, and past
 * {@code mljobs.queue.max-waiting-claims} is refused with 503. (A job submitted through another replica:
 * {@code WaitingClaimReplicasIT}.)
 */
@QuarkusTest
@TestProfile(WaitingClaimTest.FewWaiters.class)
@WithTestResource(value = PostgresTestResource.class, initArgs = {
        @ResourceArg(name = "label", value = "waiting"), @ResourceArg(name = "own-server", value = "true") })
class WaitingClaimTest {

    static final int MAX_WAITING = 40;

    public static class FewWaiters implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("mljobs.queue.max-waiting-claims", Integer.toString(MAX_WAITING));
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @Inject
    Pool pool;

    @Inject
    ClaimWaiters waiters;

    @Inject
    Notifications notifications;

    @Inject
    MeterRegistry registry;

    @TestHTTPResource("/")
    URI base;

    @AfterEach
    void noClaimWaitsAndNoJobIsPending() throws Exception {
        Waits.until("every waiting claim answered", () -> waiters.waiting() == 0 ? true : null);
        pool.query("UPDATE ml_jobs SET status = 'completed', completed_at = now() WHERE status = 'pending'").execute()
                .await().atMost(Waits.BOUND);
    }

    @Test
    void aWaitEndsEmptyAtItsDeadline() throws Exception {
        long sent = System.nanoTime();
        HttpResponse<String> answer = claim("deadline", 1, 1).get(Waits.BOUND.toSeconds(), TimeUnit.SECONDS);
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
        assertEquals(200, answer.statusCode(), answer.body());
        assertEquals(0, jobs(answer).size());
        assertTrue(tookMs >= 1_000 && tookMs <= 1_100, "answered after " + tookMs + " ms, not 1 s (±100 ms)");
    }

    @Test
    void aJobSubmittedThroughTheApiWakesAWaitingClaim() throws Exception {
        CompletableFuture<HttpResponse<String>> waiting = claim("api", 5, 20);
        awaitParked(1);
        long submitted = System.nanoTime();
        String job = JSON.readTree(post("/jobs", "{\"input_text\": \"wake up\"}").body()).get("job_uuid").asText();
        assertClaimed(Set.of(job), waiting, submitted);
    }

    @Test
    void aJobInsertedInSqlWithABareNotifyWakesAWaitingClaim() throws Exception {
        CompletableFuture<HttpResponse<String>> waiting = claim("sql", 5, 20);
        awaitParked(1);
        long inserted = System.nanoTime();
        String job = pool.withTransaction(sql -> sql.query("INSERT INTO ml_jobs (input_text) VALUES ('from sql') "
                + "RETURNING job_uuid").execute()
                .call(rows -> sql.query("NOTIFY ml_jobs_pending").execute())
                .map(rows -> rows.iterator().next().getUUID(0).toString()))
                .await().atMost(Waits.BOUND);
        assertClaimed(Set.of(job), waiting, inserted);
    }

    @Test
    void moreWaitingClaimsThanJobsNeverShareAJob() throws Exception {
        List<CompletableFuture<HttpResponse<String>>> waiting = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            waiting.add(claim("many-" + i, 1, 3));
        }
        awaitParked(30);
        StringBuilder batch = new StringBuilder("{\"jobs\": [");
        for (int i = 0; i < 10; i++) {
            batch.append(i == 0 ? "" : ", ").append("{\"input_text\": \"one of ten\"}");
        }
        Set<String> submitted = new HashSet<>();
        JSON.readTree(post("/jobs/batch", batch.append("]}").toString()).body()).get("job_uuids")
                .forEach(uuid -> submitted.add(uuid.asText()));

        List<String> claimed = new ArrayList<>();
        for (CompletableFuture<HttpResponse<String>> claim : waiting) {
            HttpResponse<String> answer = claim.get(Waits.BOUND.toSeconds(), TimeUnit.SECONDS);
            assertEquals(200, answer.statusCode(), answer.body());
            jobs(answer).forEach(job -> claimed.add(job.get("job_uuid").asText()));
        }
        assertEquals(submitted.size(), claimed.size(), "each job claimed once: " + claimed);
        assertEquals(submitted, new HashSet<>(claimed));
    }

    @Test
    void waitingClaimsHoldNoConnectionRunNoQueryAndPastTheBoundGet503() throws Exception {
        List<CompletableFuture<HttpResponse<String>>> waiting = new ArrayList<>();
        for (int i = 0; i < MAX_WAITING; i++) {
            waiting.add(claim("bound-" + i, 1, 4));
        }
        awaitParked(MAX_WAITING);
        double claimsBefore = claimQueries();
        Thread.sleep(1_000);
        assertEquals(claimsBefore, claimQueries(), "claim queries while every claim was parked");
        long busy = pool.query("SELECT count(*) FILTER (WHERE state = 'active' AND query NOT LIKE '%pg_stat_activity%'), "
                + "count(*) FILTER (WHERE application_name = 'ml-jobs-listener') FROM pg_stat_activity "
                + "WHERE datname = current_database()").execute()
                .map(rows -> rows.iterator().next()).map(row -> row.getLong(0) * 1_000 + row.getLong(1))
                .await().atMost(Waits.BOUND);
        assertEquals(1, busy, "no active statement and exactly one listening connection (active*1000 + listening)");

        HttpResponse<String> refused = claim("one-too-many", 1, 4).get(Waits.BOUND.toSeconds(), TimeUnit.SECONDS);
        assertEquals(503, refused.statusCode(), refused.body());
        assertEquals("/problems/server-busy", JSON.readTree(refused.body()).get("type").asText());
        assertEquals("1", refused.headers().firstValue("Retry-After").orElse(null));
        HttpResponse<String> noWait = claim("no-wait", 1, 0).get(Waits.BOUND.toSeconds(), TimeUnit.SECONDS);
        assertEquals(200, noWait.statusCode(), "a claim that does not wait is not counted: " + noWait.body());

        for (CompletableFuture<HttpResponse<String>> claim : waiting) {
            HttpResponse<String> answer = claim.get(Waits.BOUND.toSeconds(), TimeUnit.SECONDS);
            assertEquals(200, answer.statusCode(), answer.body());
            assertEquals(0, jobs(answer).size());
        }
    }

    @Test
    void aRestartOfPostgresDuringAWaitLosesNoWakeUp() throws Exception {
        var config = ConfigProvider.getConfig();
        LocalPostgres pg = LocalPostgres.attach(Path.of(config.getValue("mljobs-test.pg-data-dir", String.class)),
                config.getValue("mljobs-test.pg-port", Integer.class));
        CompletableFuture<HttpResponse<String>> waiting = claim("restart", 5, 30);
        awaitParked(1);
        // Pending without a notification, like a job whose NOTIFY was sent while the listener was away.
        String unannounced = pool.query("INSERT INTO ml_jobs (input_text) VALUES ('unannounced') RETURNING job_uuid")
                .execute().map(rows -> rows.iterator().next().getUUID(0).toString()).await().atMost(Waits.BOUND);
        assertFalse(waiting.isDone(), "no notification, no wake-up");

        pg.stopServer();
        try {
            Waits.until("the listener notices", () -> notifications.connected() ? null : true);
        } finally {
            pg.startServer();
        }
        long restarted = System.nanoTime();
        assertClaimed(Set.of(unannounced), waiting, restarted);

        // Listening again: a submission after the restart wakes the next waiting claim.
        Waits.until("the API answers again", () -> claimQueriesAnswer() ? true : null);
        CompletableFuture<HttpResponse<String>> next = claim("restart", 5, 20);
        awaitParked(1);
        long submitted = System.nanoTime();
        String job = JSON.readTree(post("/jobs", "{\"input_text\": \"after the restart\"}").body()).get("job_uuid")
                .asText();
        assertClaimed(Set.of(job), next, submitted);
    }

    @Test
    void waitSecondsOutsideZeroToThirtyIs400() throws Exception {
        for (String wait : List.of("-1", "31", "\"soon\"", "1.5")) {
            HttpResponse<String> answer = post("/jobs/claim", "{\"worker_id\": \"w\", \"wait_seconds\": " + wait + "}");
            assertEquals(400, answer.statusCode(), wait + ": " + answer.body());
            assertTrue(JSON.readTree(answer.body()).get("detail").asText().contains("wait_seconds"), answer.body());
        }
    }

    private void assertClaimed(Set<String> expected, CompletableFuture<HttpResponse<String>> waiting, long since)
            throws Exception {
        HttpResponse<String> answer = waiting.get(Waits.BOUND.toSeconds(), TimeUnit.SECONDS);
        long afterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
        assertEquals(200, answer.statusCode(), answer.body());
        Set<String> claimed = new HashSet<>();
        jobs(answer).forEach(job -> claimed.add(job.get("job_uuid").asText()));
        assertEquals(expected, claimed, answer.body());
        // Woken, not answered at the deadline (20 s or more).
        assertTrue(afterMs < 10_000, "claimed " + afterMs + " ms later");
    }

    private void awaitParked(int count) throws InterruptedException {
        Waits.until(count + " claims parked", () -> waiters.parked() == count ? true : null);
    }

    private double claimQueries() {
        return registry.find("mljobs.db.query").tag("query", "queue.claim").timers().stream()
                .mapToDouble(timer -> timer.count()).sum();
    }

    private boolean claimQueriesAnswer() throws Exception {
        return claim("probe", 1, 0).get(Waits.BOUND.toSeconds(), TimeUnit.SECONDS).statusCode() == 200;
    }

    private CompletableFuture<HttpResponse<String>> claim(String worker, int limit, int waitSeconds) {
        String body = "{\"worker_id\": \"" + worker + "\", \"limit\": " + limit + ", \"wait_seconds\": " + waitSeconds
                + "}";
        return HTTP.sendAsync(request("/jobs/claim", body), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String json) throws Exception {
        return HTTP.send(request(path, json), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest request(String path, String json) {
        return HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(45))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build();
    }

    private static JsonNode jobs(HttpResponse<String> answer) throws Exception {
        return JSON.readTree(answer.body()).get("jobs");
    }
}
