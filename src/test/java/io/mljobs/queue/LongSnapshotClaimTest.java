package io.mljobs.queue;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.mljobs.testing.JsonHttp;
import io.mljobs.testing.Plans;
import io.mljobs.testing.PostgresTestResource;
import io.mljobs.testing.Waits;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * While a long transaction keeps the entries of claimed jobs alive in the pending index, claims start at the claim
 * floor instead of wading through them, and a job left below the floor is still claimed by the next sweep.
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "label", value = "long_snapshot"))
class LongSnapshotClaimTest {

    private static final int OLD_JOBS = 3_000;

    @Inject
    Pool pool;

    @Inject
    ClaimFloor floor;

    @TestHTTPResource("/")
    URI base;

    @Test
    void claimsSkipWhatALongSnapshotKeepsAliveAndLeaveNoJobBehind() {
        JsonHttp http = new JsonHttp(base);
        // About 1 kB of incompressible text each, so that the old jobs fill some 400 heap pages, as real inputs do.
        pool.query("INSERT INTO ml_jobs (input_text, created_at) SELECT 'old ' || g || ' ' || (SELECT string_agg("
                + "md5(random()::text || g || i), '') FROM generate_series(1, 30) i), now() - interval '1 hour' "
                + "+ g * interval '1 second' FROM generate_series(1, " + OLD_JOBS + ") g").execute().await()
                .atMost(Waits.BOUND);
        // The long report: its snapshot sees every old job as pending, so no scan may mark their entries dead.
        SqlConnection report = pool.getConnection().await().atMost(Waits.BOUND);
        try {
            report.query("BEGIN ISOLATION LEVEL REPEATABLE READ").execute().await().atMost(Waits.BOUND);
            report.query("SELECT count(*) FROM ml_jobs").execute().await().atMost(Waits.BOUND);

            int claimed = 0;
            while (claimed < OLD_JOBS) {
                JsonNode jobs = claim(http);
                assertTrue(jobs.size() > 0, "claims took " + claimed + " of " + OLD_JOBS);
                claimed += jobs.size();
            }
            assertEquals(201, http.post("/jobs/batch", "{\"jobs\": [{\"input_text\": \"new 1\"}, "
                    + "{\"input_text\": \"new 2\"}]}").status());

            // The same claim from the head and from the floor, rolled back: the head reads every dead entry.
            assertNotNull(floor.floor(), "the claims moved the floor");
            long fromHead = buffers(QueueRepository.CLAIM.sql(), Tuple.of("explain", 10));
            long fromFloor = buffers(QueueRepository.CLAIM_FROM.sql(),
                    Tuple.of("explain", 10, floor.floor().atOffset(ZoneOffset.UTC)));
            assertTrue(fromHead > 300, "the head has " + OLD_JOBS + " dead entries to read: " + fromHead + " buffers");
            assertTrue(fromFloor * 10 < fromHead, "from the floor " + fromFloor + " buffers, from the head " + fromHead);

            long floorClaimsBefore = claimsFrom();
            Set<String> got = new HashSet<>();
            claim(http).forEach(j -> got.add(j.get("input_text").asText()));
            assertEquals(Set.of("new 1", "new 2"), got);
            assertTrue(claimsFrom() > floorClaimsBefore, "the service claimed from the floor: " + floorClaimsBefore
                    + " before, " + claimsFrom() + " after");

            // A job below the floor (as a submission that committed late would be) waits at most one sweep.
            pool.query("INSERT INTO ml_jobs (input_text, created_at) VALUES ('straggler', now() - interval '2 hours')")
                    .execute().await().atMost(Waits.BOUND);
            long deadline = System.nanoTime() + 15_000_000_000L;
            boolean found = false;
            while (!found && System.nanoTime() < deadline) {
                for (JsonNode j : claim(http)) {
                    found |= j.get("input_text").asText().equals("straggler");
                }
                if (!found) {
                    Thread.sleep(250);
                }
            }
            assertTrue(found, "the straggler was claimed within a sweep interval");
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        } finally {
            report.query("ROLLBACK").execute().await().atMost(Waits.BOUND);
            report.close().await().atMost(Waits.BOUND);
        }
    }

    private static JsonNode claim(JsonHttp http) {
        JsonHttp.Reply reply = http.post("/jobs/claim", "{\"worker_id\": \"w\", \"limit\": 100}");
        assertEquals(200, reply.status(), String.valueOf(reply.body()));
        return reply.body().get("jobs");
    }

    /**
     * Shared buffers the scan of the pending index touched (index and heap pages: every entry is checked against its
     * row), with EXPLAIN ANALYZE in a transaction that is rolled back.
     */
    private long buffers(String sql, Tuple args) {
        return pool.withConnection(conn -> conn.query("BEGIN").execute()
                .chain(() -> conn.preparedQuery("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql).execute(args))
                .map(rows -> pendingScanBlocks(((JsonArray) rows.iterator().next().getValue(0)).getJsonObject(0)
                        .getJsonObject("Plan")))
                .onTermination().call(() -> conn.query("ROLLBACK").execute()))
                .await().atMost(Waits.BOUND);
    }

    private static long pendingScanBlocks(JsonObject plan) {
        JsonObject scan = Plans.nodes(plan).stream()
                .filter(n -> "ml_jobs_pending_created_at_id_idx".equals(n.getString("Index Name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no scan of the pending index: " + plan));
        return scan.getLong("Shared Hit Blocks", 0L) + scan.getLong("Shared Read Blocks", 0L);
    }

    private static long claimsFrom() {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher m = Pattern
                .compile("mljobs_db_query_seconds_count\\{outcome=\"success\",query=\"queue.claim_from\"[^}]*} ([0-9.E]+)")
                .matcher(metrics);
        if (!m.find()) {
            throw new AssertionError("no claim_from count in " + metrics.lines().filter(l -> l.contains("claim")).toList());
        }
        return (long) Double.parseDouble(m.group(1));
    }
}
