package io.mljobs.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.mljobs.db.NamedQuery;
import io.mljobs.testing.Plans;
import io.mljobs.testing.PostgresTestResource;
import io.mljobs.testing.Waits;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Proves with EXPLAIN that each listing variant is one index range scan in the requested order (no
 * sequential scan, no sort), for the plan PostgreSQL makes with the values and for the generic plan
 * it may switch a cached prepared statement to. Runs the repository's own SQL and arguments on a
 * table of 50,000 analysed rows; sequential scans stay enabled.
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JobPagePlanTest {

    private static final String BY_TIME = "ml_jobs_created_at_id_idx";
    private static final String BY_STATUS = "ml_jobs_status_created_at_id_idx";
    private static final String PENDING = "ml_jobs_pending_created_at_id_idx";

    @Inject
    Pool pool;

    @Inject
    JobRepository jobs;

    @BeforeAll
    void seed() {
        jobs.generate(50_000).await().atMost(Waits.BOUND);
        pool.query("ANALYZE ml_jobs").execute().await().atMost(Waits.BOUND);
    }

    static Stream<Arguments> variants() {
        List<Arguments> variants = new ArrayList<>();
        String cursorAsc = new Cursor(new Position(1_000_000_000_000_000L, 40_000), SortOrder.ASC).encode();
        String cursorDesc = new Cursor(new Position(1_700_000_000_000_000L, 10_000), SortOrder.DESC).encode();
        for (String order : List.of("asc", "desc")) {
            String cursor = order.equals("asc") ? cursorAsc : cursorDesc;
            for (String status : new String[] { null, "completed", "pending" }) {
                Set<String> intended = status == null ? Set.of(BY_TIME)
                        : status.equals("pending") ? Set.of(BY_STATUS, PENDING) : Set.of(BY_STATUS);
                variants.add(Arguments.of(request(status, null, null, order, null), intended));
                variants.add(Arguments.of(request(status, null, null, order, cursor), intended));
                variants.add(Arguments.of(request(status, "2025-06-01", "2025-07-01", order, null), intended));
                variants.add(Arguments.of(request(status, "2025-06-01", null, order, cursor), intended));
            }
        }
        return variants.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void pageIsOneIndexScanInOrder(PageRequest request, Set<String> intended) {
        NamedQuery query = JobRepository.pageQueryFor(request);
        Tuple args = argsFor(request);
        for (String mode : List.of("force_custom_plan", "force_generic_plan")) {
            JsonObject plan = Plans.explain(pool, query.sql(), args, mode);
            Set<String> types = Plans.nodeTypes(plan);
            Set<String> indexes = Plans.indexes(plan);

            assertFalse(types.contains("Seq Scan"), mode + ": " + types);
            assertFalse(types.contains("Sort") || types.contains("Incremental Sort"), mode + ": " + types);
            assertEquals(1, indexes.size(), mode + ": " + indexes);
            assertTrue(intended.containsAll(indexes), mode + ": used " + indexes + ", intended " + intended);
            // A range scan: every condition bounds the scan; none is checked row by row afterwards.
            JsonObject scan = Plans.nodes(plan).stream().filter(n -> n.getString("Index Name") != null).findFirst()
                    .orElseThrow();
            assertTrue(scan.getString("Index Cond", "").contains("ROW("), mode + ": " + scan.getString("Index Cond"));
            assertEquals(null, scan.getString("Filter"), mode + ": filter " + scan.getString("Filter"));
        }
    }

    @Test
    void lookupByJobUuidUsesItsUniqueIndex() {
        JsonObject plan = Plans.explain(pool, JobRepository.FIND_BY_UUID.sql(), Tuple.of(UUID.randomUUID()),
                "force_generic_plan");
        assertEquals(Set.of("ml_jobs_job_uuid_key"), Plans.indexes(plan));
    }

    /**
     * Under PostgreSQL's default plan_cache_mode a cached statement keeps re-planning unless its
     * generic plan looks as cheap as the custom ones; each page statement must get there, or every
     * page pays for planning (which costs more than running it).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void pageStatementSettlesOnItsGenericPlan(PageRequest request, Set<String> intended) {
        NamedQuery query = JobRepository.pageQueryFor(request);
        Tuple args = argsFor(request);
        Row plans = pool.withConnection(connection -> {
            Uni<Void> executions = Uni.createFrom().voidItem();
            for (int i = 0; i < 10; i++) {
                executions = executions.chain(() -> connection.preparedQuery(query.sql()).execute(args).replaceWithVoid());
            }
            return executions.chain(() -> connection.preparedQuery(
                    "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement = $1")
                    .execute(Tuple.of(query.sql())));
        }).await().atMost(Waits.BOUND).iterator().next();
        assertTrue(plans.getLong("generic_plans") >= 5, "generic " + plans.getLong("generic_plans")
                + ", custom " + plans.getLong("custom_plans"));
    }

    /** The arguments the service binds for the request's first page. */
    private static Tuple argsFor(PageRequest request) {
        Position from = request.cursor() == null ? null : request.cursor().position();
        return JobRepository.pageArgs(request, from, request.limit() + 1);
    }

    private static PageRequest request(String status, String after, String before, String order, String cursor) {
        return PageRequest.parse("50", cursor, status, after, before, order, 50);
    }
}
