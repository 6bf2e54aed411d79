package io.mljobs.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

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

/** Eight workers claim from one queue at once: every job goes to exactly one of them. */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "label", value = "claims"))
class ConcurrentClaimTest {

    private static final int JOBS = 5_000;
    private static final int WORKERS = 8;

    @Inject
    Pool pool;

    @TestHTTPResource("/")
    URI base;

    @Test
    void concurrentClaimersGetDistinctJobsAndTogetherAllOfThem() throws Exception {
        pool.query("INSERT INTO ml_jobs (input_text) SELECT 'claim me ' || g FROM generate_series(1, " + JOBS + ") g")
                .execute().await().atMost(Waits.BOUND);
        JsonHttp http = new JsonHttp(base);

        ExecutorService workers = Executors.newFixedThreadPool(WORKERS);
        List<Future<List<String>>> claimed = new ArrayList<>();
        for (int w = 0; w < WORKERS; w++) {
            String workerId = "worker-" + w;
            claimed.add(workers.submit(() -> {
                List<String> mine = new ArrayList<>();
                while (true) {
                    JsonHttp.Reply reply = http.post("/jobs/claim", "{\"worker_id\": \"" + workerId + "\", \"limit\": 25}");
                    assertEquals(200, reply.status(), String.valueOf(reply.body()));
                    JsonNode jobs = reply.body().get("jobs");
                    if (jobs.isEmpty()) {
                        return mine;
                    }
                    jobs.forEach(job -> {
                        assertEquals(workerId, job.get("worker_id").asText());
                        mine.add(job.get("job_uuid").asText());
                    });
                }
            }));
        }
        workers.shutdown();

        List<String> all = new ArrayList<>();
        for (Future<List<String>> mine : claimed) {
            all.addAll(mine.get());
        }
        Set<String> distinct = new HashSet<>(all);
        assertEquals(all.size(), distinct.size(), "no job claimed twice");
        assertEquals(JOBS, distinct.size(), "every job claimed");
        long running = pool.query("SELECT count(*) FROM ml_jobs WHERE status = 'running'").execute()
                .await().atMost(Waits.BOUND).iterator().next().getLong(0);
        assertEquals(JOBS, running);
    }
}
