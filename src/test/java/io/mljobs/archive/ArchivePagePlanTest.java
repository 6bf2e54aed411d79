package io.mljobs.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
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
import io.mljobs.job.Cursor;
import io.mljobs.job.JobRepository;
import io.mljobs.job.PageRequest;
import io.mljobs.job.Position;
import io.mljobs.job.SortOrder;
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
 * Proves with EXPLAIN that a page of GET /archive/jobs is, on every partition, one index range scan in the
 * requested order, the scans merged in order (Merge Append) under the page's Limit: no sequential scan, no sort,
 * at any depth; and that the lookup of an archived job is an index probe on every partition. Custom and generic
 * plans, on 50,000 analysed rows spread over all five partitions (this month, three ahead, the default one).
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "label", value = "archive_plans"))
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ArchivePagePlanTest {

    private static final String BY_TIME = "_created_at_id_idx";
    private static final String BY_STATUS = "_status_created_at_id_idx";
    private static final String BY_UUID = "_job_uuid_archived_at_";

    @Inject
    Pool pool;

    @Inject
    JobRepository jobs;

    private long partitions;

    @BeforeAll
    void seed() {
        jobs.generate(50_000).await().atMost(Waits.BOUND);
        sql("""
                INSERT INTO ml_jobs_archive (%1$s, archived_at)
                SELECT %1$s, CASE id %% 5 WHEN 0 THEN date_trunc('month', now(), 'UTC') + interval '1 minute'
                                         WHEN 4 THEN now() - interval '5 years'
                                         ELSE date_trunc('month', now(), 'UTC') + (id %% 5) * interval '1 month'
                                              + interval '1 day' END
                  FROM ml_jobs
                """.formatted(JobRepository.ALL_COLUMNS));
        sql("TRUNCATE ml_jobs");
        sql("ANALYZE ml_jobs_archive");
        partitions = pool.query("SELECT count(DISTINCT tableoid) FROM ml_jobs_archive").execute().await()
                .atMost(Waits.BOUND).iterator().next().getLong(0);
        assertEquals(5L, partitions, "rows in every partition");
    }

    static Stream<Arguments> variants() {
        List<Arguments> variants = new ArrayList<>();
        String cursorAsc = new Cursor(new Position(1_000_000_000_000_000L, 40_000), SortOrder.ASC).encode();
        String cursorDesc = new Cursor(new Position(1_700_000_000_000_000L, 10_000), SortOrder.DESC).encode();
        for (String order : List.of("asc", "desc")) {
            String cursor = order.equals("asc") ? cursorAsc : cursorDesc;
            for (String status : new String[] { null, "completed", "pending" }) {
                String intended = status == null ? BY_TIME : BY_STATUS;
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
    void pageIsOneIndexRangeScanPerPartitionMergedInOrder(PageRequest request, String intended) {
        NamedQuery query = ArchivedJobRepository.pageQueryFor(request);
        Position from = request.cursor() == null ? null : request.cursor().position();
        Tuple args = JobRepository.pageArgs(request, from, request.limit() + 1);
        for (String mode : List.of("force_custom_plan", "force_generic_plan")) {
            JsonObject plan = Plans.explain(pool, query.sql(), args, mode);
            List<String> types = Plans.nodes(plan).stream().map(n -> n.getString("Node Type")).toList();

            assertEquals("Limit", plan.getString("Node Type"), mode);
            assertTrue(types.contains("Merge Append"), mode + ": " + types);
            assertFalse(types.contains("Seq Scan"), mode + ": " + types);
            assertFalse(types.contains("Sort") || types.contains("Incremental Sort"), mode + ": " + types);
            List<JsonObject> scans = Plans.nodes(plan).stream().filter(n -> n.getString("Index Name") != null).toList();
            assertEquals(partitions, scans.size(), mode + ": one scan per partition: " + types);
            for (JsonObject scan : scans) {
                String index = scan.getString("Index Name");
                assertTrue(index.endsWith(intended) && (intended.equals(BY_STATUS) || !index.endsWith(BY_STATUS)),
                        mode + ": used " + index + ", intended *" + intended);
                // A range scan: every condition bounds the scan; none is checked row by row afterwards.
                assertTrue(scan.getString("Index Cond", "").contains("ROW("), mode + ": " + scan.getString("Index Cond"));
                assertEquals(null, scan.getString("Filter"), mode + ": filter " + scan.getString("Filter"));
            }
        }
    }

    @Test
    void lookupByJobUuidProbesEachPartitionsIndex() {
        for (NamedQuery query : List.of(ArchivedJobRepository.FIND_BY_UUID, ArchivedJobRepository.FIND_POSITION)) {
            JsonObject plan = Plans.explain(pool, query.sql(), Tuple.of(UUID.randomUUID()), "force_generic_plan");
            List<String> types = Plans.nodes(plan).stream().map(n -> n.getString("Node Type")).toList();
            assertFalse(types.contains("Seq Scan") || types.contains("Bitmap Heap Scan"), query.name() + ": " + types);
            List<String> indexes = Plans.nodes(plan).stream().map(n -> n.getString("Index Name")).filter(i -> i != null)
                    .toList();
            assertEquals(partitions, indexes.size(), query.name() + ": " + indexes);
            assertTrue(indexes.stream().allMatch(i -> i.contains(BY_UUID)), query.name() + ": " + indexes);
        }
    }

    private void sql(String sql) {
        pool.query(sql).execute().await().atMost(Waits.BOUND);
    }

    private static PageRequest request(String status, String after, String before, String order, String cursor) {
        return PageRequest.parse("50", cursor, status, after, before, order, 50);
    }
}
