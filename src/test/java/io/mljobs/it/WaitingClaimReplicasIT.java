package io.mljobs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.mljobs.testing.PackagedService;
import io.mljobs.testing.PostgresTestResource;
import io.mljobs.testing.Waits;

/**
 * Two replicas of the packaged service on one database: a claim waiting on one receives the job submitted through
 * the other (the wake-up crosses processes through PostgreSQL's NOTIFY), and at SIGTERM a waiting claim answers an
 * empty list at once instead of holding the replica for its whole wait.
 */
class WaitingClaimReplicasIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String WAIT_20_S = "{\"worker_id\": \"w1\", \"limit\": 5, \"wait_seconds\": 20}";

    @Test
    void aJobSubmittedThroughOneReplicaWakesAClaimWaitingOnTheOther() throws Exception {
        PostgresTestResource database = new PostgresTestResource();
        database.init(Map.of("label", "replicas"));
        Map<String, String> config = database.start();
        try (PackagedService a = PackagedService.start(config); PackagedService b = PackagedService.start(config)) {
            CompletableFuture<HttpResponse<String>> waiting = a.post("/jobs/claim", WAIT_20_S, Duration.ofSeconds(40));
            Waits.until("the claim waits on replica a", () -> waitingClaims(a) == 1 ? true : null);
            Thread.sleep(200); // past its first, empty, claim: it is parked now

            long submitted = System.nanoTime();
            String job = JSON.readTree(b.post("/jobs", "{\"input_text\": \"for a waiting worker\"}")).get("job_uuid")
                    .asText();
            HttpResponse<String> answer = waiting.get(Waits.BOUND.toSeconds(), TimeUnit.SECONDS);
            long wokenAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - submitted);
            assertEquals(200, answer.statusCode(), answer.body());
            JsonNode jobs = JSON.readTree(answer.body()).get("jobs");
            assertEquals(1, jobs.size(), answer.body());
            assertEquals(job, jobs.get(0).get("job_uuid").asText());
            // Woken, not timed out: the wait was 20 s.
            assertTrue(wokenAfterMs < 5_000, "claimed " + wokenAfterMs + " ms after the submission");

            // SIGTERM: the waiting claim answers empty at once, within the shutdown delay (5 s), not after 20 s.
            CompletableFuture<HttpResponse<String>> draining = b.post("/jobs/claim", WAIT_20_S, Duration.ofSeconds(40));
            Waits.until("the claim waits on replica b", () -> waitingClaims(b) == 1 ? true : null);
            long signalled = System.nanoTime();
            b.process().destroy();
            HttpResponse<String> drained = draining.get(Waits.BOUND.toSeconds(), TimeUnit.SECONDS);
            long answeredAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - signalled);
            assertEquals(200, drained.statusCode(), drained.body());
            assertEquals(0, JSON.readTree(drained.body()).get("jobs").size(), drained.body());
            assertTrue(answeredAfterMs < 3_000, "answered " + answeredAfterMs + " ms after SIGTERM");
        } finally {
            database.stop();
        }
    }

    private static int waitingClaims(PackagedService service) throws Exception {
        String metrics = service.get("/q/metrics");
        return metrics.lines().filter(line -> line.startsWith("mljobs_queue_waiting_claims "))
                .mapToInt(line -> (int) Double.parseDouble(line.substring(line.indexOf(' ') + 1))).findFirst()
                .orElse(-1);
    }
}
