package io.mljobs.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import jakarta.inject.Inject;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;
import org.junit.jupiter.api.Test;

import io.mljobs.testing.PostgresTestResource;
import io.mljobs.testing.Waits;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;

/**
 * Startup applies the CREATE INDEX CONCURRENTLY migrations to a table that already holds rows.
 * Without {@link NonTransactionalLockCustomizer} this startup never ends (see the test profile's
 * statement_timeout on the JDBC connection, which turns that hang into a failure).
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "prefill-rows", value = "20000"))
class MigrationOnPopulatedTableTest {

    @Inject
    Flyway flyway;

    @Inject
    Pool pool;

    @Test
    void everyMigrationIsAppliedAfterTheRowsWereThere() {
        MigrationInfo[] applied = flyway.info().applied();
        assertEquals("1", applied[0].getVersion().getVersion(), "the resource applied V1 before startup");
        for (MigrationInfo migration : applied) {
            assertEquals(MigrationState.SUCCESS, migration.getState(), migration.getScript());
        }
        assertEquals(0, flyway.info().pending().length);
        assertTrue(applied.length >= 4);
    }

    @Test
    void indexesAreBuiltAndValidAndNoRowIsLost() {
        Map<String, Boolean> valid = new HashMap<>();
        for (Row row : pool.query("""
                SELECT c.relname, i.indisvalid
                  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                 WHERE i.indrelid = 'ml_jobs'::regclass
                """).execute().await().atMost(Waits.BOUND)) {
            valid.put(row.getString(0), row.getBoolean(1));
        }
        for (String index : new String[] { "ml_jobs_created_at_id_idx", "ml_jobs_status_created_at_id_idx",
                "ml_jobs_pending_created_at_id_idx" }) {
            assertEquals(Boolean.TRUE, valid.get(index), index + " in " + valid);
        }
        long rows = pool.query("SELECT count(*) FROM ml_jobs WHERE input_text LIKE 'prefilled %'").execute()
                .await().atMost(Waits.BOUND).iterator().next().getLong(0);
        assertEquals(20_000, rows);
    }

    @Test
    void runningJobsLoadedBeforeV10GotALeaseTheReaperCanExpire() {
        // The prefill made a quarter of its rows running with no heartbeat_at (V1 had no such column).
        assertEquals(0L, count("SELECT count(*) FROM ml_jobs WHERE status = 'running' AND heartbeat_at IS NULL"));
        assertEquals(0L, count("SELECT count(*) FROM ml_jobs WHERE status = 'running' AND worker_id IS NULL"));
    }

    @Test
    void generatedRunningJobsCarryALease() {
        // In one transaction: the reaper (every second in tests) cannot take the rows before they are read.
        Row row = pool.withTransaction(tx -> tx.query("SELECT ml_jobs_generate(5000)").execute()
                .chain(() -> tx.query("""
                        SELECT count(*) FILTER (WHERE status = 'running') AS running,
                               count(*) FILTER (WHERE status = 'running' AND heartbeat_at IS NULL) AS no_heartbeat,
                               count(*) FILTER (WHERE status = 'running'
                                                  AND (worker_id IS DISTINCT FROM 'generator'
                                                       OR heartbeat_at IS DISTINCT FROM started_at)) AS other
                          FROM ml_jobs WHERE input_text NOT LIKE 'prefilled %'
                        """).execute())
                .map(rows -> rows.iterator().next()))
                .await().atMost(Duration.ofSeconds(60));
        assertTrue(row.getLong("running") > 50, "about 3% of 5,000 generated jobs are running: " + row.getLong("running"));
        assertEquals(0L, row.getLong("no_heartbeat"));
        assertEquals(0L, row.getLong("other"));
    }

    private long count(String sql) {
        return pool.query(sql).execute().await().atMost(Duration.ofSeconds(30)).iterator().next().getLong(0);
    }
}
