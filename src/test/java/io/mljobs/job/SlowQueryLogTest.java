package io.mljobs.job;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.mljobs.db.Db;
import io.mljobs.testing.JsonHttp;
import io.mljobs.testing.PostgresTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

/**
 * With every query slow, both paths log their SQL: the submission of one job (Hibernate Reactive) the statement
 * Hibernate sent, a NamedQuery its own.
 */
@QuarkusTest
@TestProfile(SlowQueryLogTest.EveryQuerySlow.class)
@WithTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "label", value = "slowlog"))
class SlowQueryLogTest {

    public static class EveryQuerySlow implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("mljobs.db.slow-query-threshold", "PT0S");
        }
    }

    @TestHTTPResource("/")
    URI base;

    private final List<String> warnings = new ArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                synchronized (warnings) {
                    warnings.add(record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage());
                }
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void capture() {
        Logger.getLogger(Db.class.getName()).addHandler(capture);
    }

    @AfterEach
    void release() {
        Logger.getLogger(Db.class.getName()).removeHandler(capture);
    }

    @Test
    void submissionLogsTheInsertHibernateSentAndAFetchItsNamedQuery() {
        String location = given().contentType(ContentType.JSON).body("{\"input_text\": \"secret words\"}")
                .post("/jobs").then().statusCode(201).extract().header("Location");
        given().get(location).then().statusCode(200);

        String insert = theOnly("jobs.insert");
        String lower = insert.toLowerCase(Locale.ROOT);
        assertTrue(lower.contains("insert into ml_jobs ("), insert);
        // As sent to the Vert.x client: PostgreSQL placeholders and the RETURNING clause Hibernate adds for the id.
        assertTrue(lower.contains("$1") && lower.contains("returning id"), insert);
        assertFalse(insert.contains("secret words"), "no parameter values: " + insert);
        assertFalse(insert.contains("(orm)"), insert);

        String fetch = theOnly("jobs.find_by_uuid");
        assertTrue(fetch.contains(JobRepository.FIND_BY_UUID.oneLine()), fetch);
    }

    @Test
    void concurrentSubmissionsEachLogTheirOwnStatementOnly() throws Exception {
        JsonHttp http = new JsonHttp(base);
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            List<Future<JsonHttp.Reply>> replies = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                replies.add(threads.submit(() -> http.post("/jobs", "{\"input_text\": \"concurrent\"}")));
            }
            for (Future<JsonHttp.Reply> reply : replies) {
                assertEquals(201, reply.get().status());
            }
        } finally {
            threads.shutdownNow();
        }

        List<String> inserts = lines("jobs.insert");
        assertEquals(24, inserts.size(), inserts.toString());
        for (String line : inserts) {
            String lower = line.toLowerCase(Locale.ROOT);
            assertEquals(lower.indexOf("insert into ml_jobs"), lower.lastIndexOf("insert into ml_jobs"),
                    "one statement per submission: " + line);
            assertTrue(lower.contains("insert into ml_jobs"), line);
        }
    }

    private String theOnly(String query) {
        List<String> found = lines(query);
        assertEquals(1, found.size(), found.toString());
        return found.get(0);
    }

    private List<String> lines(String query) {
        synchronized (warnings) {
            // The scheduled work (reaper, compaction, gauges) is slow too at this threshold: only this query's lines.
            return warnings.stream().filter(line -> line.startsWith("slow query " + query + " took ")).toList();
        }
    }
}
