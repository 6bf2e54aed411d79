package io.mljobs.archive;

import static io.mljobs.testing.Admin.asAdmin;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import io.mljobs.testing.PostgresTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;

/**
 * V12 and V13 on an archive that already holds 20,000 rows over 300 days: afterwards every row is there exactly as
 * it was (same count, same hash of every column), in the old table, now the partition of everything archived
 * before next month, whose indexes V12 built beforehand; and archival, lookups and listings work on it.
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, initArgs = {
        @ResourceArg(name = "label", value = "archive_migration"),
        @ResourceArg(name = "archived-rows-before-partitioning", value = "20000") })
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ArchivePartitioningMigrationTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Inject
    Pool pool;

    // Only this test's resource sets it; every test class is a bean of every test application.
    @ConfigProperty(name = "mljobs-test.archive-fingerprint", defaultValue = "none")
    String before;

    @Test
    void noRowIsLostDuplicatedOrChanged() {
        assertEquals("20000:", before.substring(0, 6));
        assertEquals(before, one(PostgresTestResource.ARCHIVE_FINGERPRINT).getString(0));
    }

    @Test
    void theOldTableIsThePartitionOfEverythingBeforeNextMonth() {
        assertEquals("p", one("SELECT relkind::text FROM pg_class WHERE relname = 'ml_jobs_archive'").getString(0));
        Row legacy = one("SELECT * FROM ml_jobs_archive_partitions() WHERE name = 'ml_jobs_archive_legacy'");
        assertNull(legacy.getValue("lower_bound"));
        YearMonth next = YearMonth.now(ZoneOffset.UTC).plusMonths(1);
        assertEquals(next.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC),
                legacy.getOffsetDateTime("upper_bound").toInstant());
        assertEquals(20_000L, one("SELECT count(*) FROM ml_jobs_archive_legacy").getLong(0), "no row was copied");
        // The months after it, made ahead, and the default partition.
        assertEquals(3L, one("SELECT count(*) FROM ml_jobs_archive_partitions() WHERE lower_bound IS NOT NULL")
                .getLong(0));
        assertEquals(1L, one("SELECT count(*) FROM ml_jobs_archive_partitions() WHERE is_default").getLong(0));
    }

    @Test
    void theOldTablesIndexesAreThePartitionedTablesOnIt() {
        Map<String, String> attachedTo = new HashMap<>();
        for (Row row : pool.query("""
                SELECT c.relname AS index, p.relname AS parent, i.indisvalid AS valid
                  FROM pg_index i
                  JOIN pg_class c ON c.oid = i.indexrelid
                  LEFT JOIN pg_inherits h ON h.inhrelid = i.indexrelid
                  LEFT JOIN pg_class p ON p.oid = h.inhparent
                 WHERE i.indrelid = 'ml_jobs_archive_legacy'::regclass
                """).execute().await().atMost(WAIT)) {
            assertEquals(Boolean.TRUE, row.getBoolean("valid"), row.getString("index"));
            attachedTo.put(row.getString("index"), row.getString("parent"));
        }
        assertEquals(Map.of(
                "ml_jobs_archive_legacy_job_uuid_archived_at_key", "ml_jobs_archive_job_uuid_archived_at_key",
                "ml_jobs_archive_legacy_created_at_id_idx", "ml_jobs_archive_created_at_id_idx",
                "ml_jobs_archive_legacy_status_created_at_id_idx", "ml_jobs_archive_status_created_at_id_idx",
                // V15 built it while the B-tree it replaces still held the plain name.
                "ml_jobs_archive_legacy_archived_at_idx1", "ml_jobs_archive_archived_at_brin"), attachedTo,
                "V12's indexes and V15's BRIN, attached; the primary key, job_uuid's own and the archived_at B-tree are gone");
    }

    @Test
    @Order(Integer.MAX_VALUE) // it archives more: the others see the archive as the migration left it
    void jobsArchivedBeforeAreFoundListedAndArchivalGoesOn() {
        Row old = one("SELECT job_uuid::text, id FROM ml_jobs_archive WHERE id = 1234");
        given().get("/jobs/" + old.getString(0)).then().statusCode(200)
                .body("id", equalTo(1234)).body("input_text", equalTo("archived before partitioning 1234"))
                .body("archived_at", notNullValue());
        given().queryParam("limit", 100).queryParam("order", "asc").get("/archive/jobs").then().statusCode(200)
                .body("jobs[0].id", equalTo(1)).body("pagination.has_more", equalTo(true));

        pool.query("""
                INSERT INTO ml_jobs (input_text, status, created_at)
                SELECT 'after', 'completed', now() - interval '40 days' FROM generate_series(1, 500)
                """).execute().await().atMost(WAIT);
        asAdmin().post("/admin/archive-jobs").then().statusCode(200).body("archived_count", equalTo(500));
        assertEquals(20_500L, one("SELECT count(*) FROM ml_jobs_archive").getLong(0));
        // This month is the old table's still.
        assertEquals(500L, one("SELECT count(*) FROM ml_jobs_archive_legacy WHERE input_text = 'after'").getLong(0));
    }

    private Row one(String sql) {
        return pool.query(sql).execute().await().atMost(WAIT).iterator().next();
    }
}
