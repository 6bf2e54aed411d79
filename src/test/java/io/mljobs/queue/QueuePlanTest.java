package io.mljobs.queue;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import io.mljobs.db.NamedQuery;
import io.mljobs.job.JobRepository;
import io.mljobs.stats.StatsRepository;
import io.mljobs.testing.Plans;
import io.mljobs.testing.PostgresTestResource;
import io.mljobs.testing.Waits;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The queue's statements and the stats read go through their small partial and range indexes,
 * never a scan of the table, on 50,000 analysed rows (of which 7% pending, 3% running).
 */
@QuarkusTest
// Its own database: one generated history, in insertion order like a real table's.
@WithTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "label", value = "queue_plans"))
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QueuePlanTest {

    @Inject
    Pool pool;

    @Inject
    JobRepository jobs;

    @BeforeAll
    void seed() {
        jobs.generate(50_000).await().atMost(Waits.BOUND);
        pool.query("ANALYZE ml_jobs").execute().await().atMost(Waits.BOUND);
    }

    @Test
    void claimReadsThePendingIndexInQueueOrder() {
        for (String mode : new String[] { "force_custom_plan", "force_generic_plan" }) {
            JsonObject plan = Plans.explain(pool, QueueRepository.CLAIM.sql(), Tuple.of("w", 10), mode);
            assertTrue(Plans.indexes(plan).contains("ml_jobs_pending_created_at_id_idx"), mode + " " + Plans.indexes(plan));
            assertFalse(Plans.nodeTypes(plan).contains("Seq Scan"), mode);
            assertFalse(Plans.nodeTypes(plan).contains("Sort"), mode);
        }
    }

    @Test
    void claimFromTheFloorStartsThePendingIndexScanThere() {
        for (String mode : new String[] { "force_custom_plan", "force_generic_plan" }) {
            JsonObject plan = Plans.explain(pool, QueueRepository.CLAIM_FROM.sql(),
                    Tuple.of("w", 10, OffsetDateTime.now(ZoneOffset.UTC).minusDays(30)), mode);
            JsonObject scan = Plans.nodes(plan).stream()
                    .filter(n -> "ml_jobs_pending_created_at_id_idx".equals(n.getString("Index Name"))).findFirst()
                    .orElseThrow(() -> new AssertionError(mode + " " + Plans.indexes(plan)));
            assertTrue(String.valueOf(scan.getString("Index Cond")).contains("created_at >="), mode + " " + scan);
            assertFalse(Plans.nodeTypes(plan).contains("Seq Scan"), mode);
            assertFalse(Plans.nodeTypes(plan).contains("Sort"), mode);
        }
    }

    @Test
    void reaperReadsTheRunningHeartbeatIndex() {
        JsonObject plan = Plans.explain(pool, QueueRepository.REAP_EXPIRED.sql(), Tuple.of(600.0, 1000),
                "force_generic_plan");
        assertTrue(Plans.indexes(plan).contains("ml_jobs_running_heartbeat_idx"), Plans.indexes(plan).toString());
        assertFalse(Plans.nodeTypes(plan).contains("Seq Scan"));
    }

    @Test
    void finishAndHeartbeatFindTheJobByItsUuid() {
        for (NamedQuery query : new NamedQuery[] { QueueRepository.FINISH, QueueRepository.HEARTBEAT }) {
            Tuple args = query == QueueRepository.FINISH
                    ? Tuple.of(UUID.randomUUID(), "completed", 0.5, "cat", null, null)
                    : Tuple.of(UUID.randomUUID(), null);
            JsonObject plan = Plans.explain(pool, query.sql(), args, "force_generic_plan");
            assertFalse(Plans.nodeTypes(plan).contains("Seq Scan"), query.name() + " " + Plans.nodeTypes(plan));
            assertTrue(Plans.indexes(plan).contains("ml_jobs_job_uuid_key"), query.name());
        }
    }

    /**
     * As in the soak: ANALYZE ran when hardly any job was running, so the planner takes the running index for
     * one entry; under a long report's snapshot it holds one for every job that ran since the report began.
     * Reports and heartbeats must find their jobs by key whatever the statistics say.
     */
    @Test
    void reportsAndHeartbeatsNeverScanTheRunningIndex() {
        List<String> fewRunning = List.of("UPDATE ml_jobs SET status = 'completed' WHERE status = 'running'",
                "ANALYZE ml_jobs");
        String uuid = UUID.randomUUID().toString();
        Map<NamedQuery, Tuple> queries = Map.of(
                QueueRepository.FINISH, Tuple.of(UUID.randomUUID(), "completed", 0.5, "cat", null, null),
                QueueRepository.FINISH_BATCH, Tuple.of("{" + uuid + "}", "{completed}", "{0.5}", "{cat}", "{NULL}", "{NULL}"),
                QueueRepository.HEARTBEAT, Tuple.of(UUID.randomUUID(), null));
        queries.forEach((query, args) -> {
            JsonObject plan = Plans.explainAfter(pool, fewRunning, query.sql(), args, "force_generic_plan");
            assertFalse(Plans.indexes(plan).contains("ml_jobs_running_heartbeat_idx"),
                    query.name() + " " + Plans.indexes(plan));
            assertTrue(Plans.indexes(plan).contains("ml_jobs_job_uuid_key"), query.name() + " " + Plans.indexes(plan));
            assertFalse(Plans.nodeTypes(plan).contains("Seq Scan"), query.name() + " " + Plans.nodeTypes(plan));
        });
    }

    @Test
    void statsReadScansNoJobRowsOnlyAnIndexRange() {
        JsonObject plan = Plans.explain(pool, StatsRepository.READ.sql(), Tuple.tuple(), "force_generic_plan");
        // The counter tables are a few dozen rows: scanning them is the point. ml_jobs is only ranged.
        boolean scansJobs = Plans.nodes(plan).stream().anyMatch(n -> "ml_jobs".equals(n.getString("Relation Name"))
                && "Seq Scan".equals(n.getString("Node Type")));
        assertFalse(scansJobs, Plans.nodeTypes(plan).toString());
        assertTrue(Plans.indexes(plan).contains("ml_jobs_created_at_id_idx"), Plans.indexes(plan).toString());
    }

    @Test
    void mlJobsIsVacuumedAsAQueueNotAsAFifthOfTheTable() {
        // V11: without it the dead entries at the head of the pending range wait for 20% of the table to die.
        String options = pool.query("SELECT array_to_string(reloptions, ',') FROM pg_class WHERE oid = 'ml_jobs'::regclass")
                .execute().await().atMost(Waits.BOUND).iterator().next().getString(0);
        assertTrue(options != null && options.contains("autovacuum_vacuum_scale_factor=0.005")
                && options.contains("autovacuum_vacuum_threshold=20000"), "ml_jobs reloptions: " + options);
    }
}
