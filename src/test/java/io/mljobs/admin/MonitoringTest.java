package io.mljobs.admin;

import static io.mljobs.testing.Admin.asAdmin;
import static io.mljobs.testing.Problems.expectProblem;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.micrometer.core.instrument.MeterRegistry;
import io.mljobs.db.Db;
import io.mljobs.db.NamedQuery;
import io.mljobs.job.JobRepository;
import io.mljobs.testing.PostgresTestResource;
import io.mljobs.testing.Waits;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/** The timed query path, the slow-query log, db-health and explain, on a database of their own. */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "label", value = "monitoring"))
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MonitoringTest {

    private static final int ROWS = 50_000;

    @Inject
    Db db;

    @Inject
    Pool pool;

    @Inject
    JobRepository jobs;

    @Inject
    MeterRegistry registry;

    @Inject
    TableGauges tableGauges;

    @ConfigProperty(name = "quarkus.datasource.reactive.max-size")
    int poolMaxSize;

    @BeforeAll
    void seed() {
        jobs.generate(ROWS).await().atMost(Waits.BOUND);
        pool.query("VACUUM ANALYZE ml_jobs").execute().await().atMost(Waits.BOUND);
    }

    @Test
    void everyQueryHitHasATimerSeries() {
        String location = given().contentType(ContentType.JSON).body("{\"input_text\": \"timed\"}").post("/jobs")
                .then().statusCode(201).extract().header("Location");
        given().get(location).then().statusCode(200);
        given().get("/jobs?status=failed&order=asc").then().statusCode(200);
        given().get("/jobs/stats").then().statusCode(200);

        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        for (String query : List.of("jobs.insert", "jobs.find_by_uuid", "jobs.page.by_status.asc", "stats.read")) {
            assertTrue(metrics.contains("mljobs_db_query_seconds_count{outcome=\"success\",query=\"" + query
                    + "\",server=\"primary\"}"), "series for " + query);
            assertTrue(metrics.contains("mljobs_db_query_seconds_bucket{outcome=\"success\",query=\"" + query
                    + "\",server=\"primary\",le=\"1.0E-4\"}"), "0.1 ms bucket for " + query);
        }
        assertTrue(metrics.contains("sql_pool_active"), "the reactive pool's own metrics");
        assertTrue(metrics.contains("http_server_requests_seconds_bucket{"), "endpoint latency histograms");
    }

    @Test
    void tableGaugesReportSizesAndRows() {
        tableGauges.refresh().await().atMost(Waits.BOUND);

        String metrics = given().get("/q/metrics").then().extract().asString();
        String rows = metrics.lines().filter(l -> l.startsWith("mljobs_table_rows_estimate{table=\"ml_jobs\"}"))
                .findFirst().orElseThrow(() -> new AssertionError("no mljobs_table_rows_estimate for ml_jobs"));
        double estimate = Double.parseDouble(rows.substring(rows.lastIndexOf(' ') + 1));
        assertTrue(Math.abs(estimate - ROWS) <= ROWS / 100, rows);
        assertTrue(metrics.contains("mljobs_table_size_bytes{table=\"ml_jobs_archive\"}"));
        assertTrue(metrics.contains("mljobs_table_dead_tuples{table=\"ml_jobs\"}"));
    }

    @Test
    void slowQueryLogsOneWarningWithoutParameterValuesAndCounts() {
        List<LogRecord> warnings = new ArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                    warnings.add(record);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger logger = Logger.getLogger(Db.class.getName());
        logger.addHandler(capture);
        try {
            db.query(NamedQuery.of("test.sleep", "SELECT pg_sleep($1)"), Tuple.of(0.15)).await().atMost(Waits.BOUND);
        } finally {
            logger.removeHandler(capture);
        }

        assertEquals(1, warnings.size(), warnings.toString());
        String line = formatted(warnings.get(0));
        assertTrue(line.contains("test.sleep") && line.contains("pg_sleep($1)"), line);
        assertFalse(line.contains("0.15"), "no parameter values: " + line);
        assertEquals(1.0, registry.get("mljobs.db.slow.queries").tag("query", "test.sleep").counter().count());
        assertTrue(given().get("/q/metrics").then().extract().asString()
                .contains("mljobs_db_slow_queries_total{query=\"test.sleep\"} 1.0"));
    }

    @Test
    void dbHealthDescribesWhatTheTestCreated() {
        JsonPath health = asAdmin().get("/admin/db-health").then().statusCode(200).extract().jsonPath();

        Map<String, Object> jobsTable = health.getMap("tables.find { it.table_name == 'ml_jobs' }");
        assertNotNull(jobsTable, health.prettify());
        long estimate = ((Number) jobsTable.get("row_estimate")).longValue();
        assertTrue(Math.abs(estimate - ROWS) <= ROWS / 100, "reltuples after ANALYZE: " + estimate);
        for (String size : List.of("heap_bytes", "index_bytes", "toast_bytes", "total_bytes")) {
            assertTrue(((Number) jobsTable.get(size)).longValue() >= 0, size);
        }
        assertTrue(((Number) jobsTable.get("total_bytes")).longValue() > ((Number) jobsTable.get("heap_bytes")).longValue());
        assertNotNull(health.getMap("tables.find { it.table_name == 'ml_jobs_archive' }"));

        List<String> indexes = health.getList("indexes.index_name");
        assertTrue(indexes.containsAll(List.of("ml_jobs_pkey", "ml_jobs_job_uuid_key", "ml_jobs_created_at_id_idx",
                "ml_jobs_status_created_at_id_idx", "ml_jobs_pending_created_at_id_idx")), indexes.toString());
        assertEquals(List.of(), health.getList("indexes.findAll { it.duplicate }.index_name"), "no duplicate index");
        assertEquals(List.of(), health.getList("indexes.findAll { !it.is_valid }.index_name"));

        double hit = health.getDouble("cache_hit_ratio");
        assertTrue(hit > 0 && hit <= 1, "cache hit ratio " + hit);
        assertEquals(poolMaxSize, health.getInt("pool.max_size"));
        assertTrue(health.getDouble("pool.in_use") >= 0);
        assertEquals(List.of(), health.getList("replicas"), "no read replica is configured");
        assertNotNull(health.getList("long_running_queries"));
        assertNotNull(health.getList("lock_waits"));
        assertFalse(health.getBoolean("top_statements.available"), "pg_stat_statements is not installed here");
        assertTrue(health.getString("top_statements.reason").contains("pg_stat_statements"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "pending", "recent", "status_count", "date_range", "deep_page" })
    void eachExplainTypeUsesAnIndexOnSeededData(String type) {
        JsonPath plan = asAdmin().queryParam("query_type", type).get("/admin/explain").then().statusCode(200)
                .extract().jsonPath();
        assertTrue(plan.getBoolean("uses_index"), plan.prettify());
        assertFalse(plan.getBoolean("seq_scan"), plan.prettify());
        assertTrue(plan.getDouble("execution_ms") >= 0);
        assertTrue(plan.getDouble("planning_ms") >= 0);
        assertNotNull(plan.getMap("plan"));
        assertFalse(plan.getList("indexes").isEmpty());
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "unknown", "RECENT", "recent; DROP TABLE ml_jobs", "pending' OR '1'='1" })
    void unknownExplainTypeIsBadRequest(String type) {
        expectProblem(asAdmin().queryParam("query_type", type).get("/admin/explain").then(), 400, "invalid-parameter");
    }

    @Test
    void statementRolledBackAsDeadlockVictimRunsAgain() {
        pool.query("""
                CREATE SEQUENCE conflict_attempts;
                CREATE FUNCTION conflict_once() RETURNS bigint LANGUAGE plpgsql AS $$
                DECLARE attempt bigint := nextval('conflict_attempts');
                BEGIN
                    IF attempt = 1 THEN RAISE EXCEPTION 'deadlock, as PostgreSQL reports it' USING ERRCODE = '40P01'; END IF;
                    RETURN attempt;
                END $$
                """).execute().await().atMost(Waits.BOUND);
        NamedQuery once = NamedQuery.of("test.conflict_once", "SELECT conflict_once() AS attempt");

        long attempt = db.query(once, Tuple.tuple()).await().atMost(Waits.BOUND).iterator().next().getLong("attempt");

        assertEquals(2, attempt);
        assertEquals(1.0, registry.get("mljobs.db.conflicts").tag("query", "test.conflict_once").counter().count());
    }

    @Test
    void persistentSerializationFailureReachesTheCallerAfterTwoRetries() {
        pool.query("""
                CREATE FUNCTION conflict_always() RETURNS int LANGUAGE plpgsql AS $$
                BEGIN
                    RAISE EXCEPTION 'could not serialize' USING ERRCODE = '40001';
                END $$
                """).execute().await().atMost(Waits.BOUND);
        NamedQuery always = NamedQuery.of("test.conflict_always", "SELECT conflict_always()");

        Throwable failure = db.query(always, Tuple.tuple()).onItem().<Throwable> transform(rows -> null)
                .onFailure().recoverWithItem(e -> e).await().atMost(Waits.BOUND);

        assertTrue(Db.isTransientConflict(failure), String.valueOf(failure));
        assertEquals(3.0, registry.get("mljobs.db.conflicts").tag("query", "test.conflict_always").counter().count());
        assertEquals(3, registry.get("mljobs.db.query").tag("query", "test.conflict_always").tag("outcome", "error")
                .timer().count());
    }

    private static String formatted(LogRecord record) {
        return record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage();
    }
}
