package io.mljobs.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.mljobs.testing.PostgresTestResource;
import io.mljobs.testing.Waits;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.sqlclient.Pool;

/** The scheduler archives old finished jobs and then deletes only archived rows past retention. */
@QuarkusTest
@TestProfile(ScheduledArchiveTest.EverySecond.class)
@WithTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "label", value = "scheduled"))
class ScheduledArchiveTest {

    public static class EverySecond implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("mljobs.archive.cron", "* * * * * ?", "mljobs.archive.retention-days", "10");
        }
    }

    @Inject
    Pool pool;

    @Test
    void scheduledRunArchivesThenPurgesOnlyWhatIsPastRetention() throws InterruptedException {
        sql("""
                INSERT INTO ml_jobs_archive (id, job_uuid, input_text, status, created_at, archived_at)
                SELECT -g, gen_random_uuid(), 'archived long ago', 'completed', now() - interval '400 days',
                       CASE WHEN g <= 30 THEN now() - interval '11 days' ELSE now() - interval '9 days' END
                  FROM generate_series(1, 50) AS g
                """);
        sql("""
                INSERT INTO ml_jobs (input_text, status, created_at)
                SELECT 'old', 'completed', now() - interval '31 days' FROM generate_series(1, 40)
                UNION ALL
                SELECT 'recent', 'completed', now() - interval '29 days' FROM generate_series(1, 5)
                """);

        // Runs fire every second from startup: wait for one that started after the rows were there.
        long seeded = count("SELECT COALESCE(max(id), 0) FROM ml_archive_runs");
        long runs = 0;
        for (int tries = 0; tries < 150 && runs == 0; tries++) {
            Thread.sleep(100);
            runs = count("SELECT count(*) FROM ml_archive_runs WHERE trigger = 'schedule' AND state = 'succeeded' "
                    + "AND id > " + seeded);
        }
        assertEquals(true, runs > 0, "a scheduled run succeeded within 15 s");

        assertEquals(0L, count("SELECT count(*) FROM ml_jobs WHERE input_text = 'old'"));
        assertEquals(5L, count("SELECT count(*) FROM ml_jobs WHERE input_text = 'recent'"));
        assertEquals(40L, count("SELECT count(*) FROM ml_jobs_archive WHERE input_text = 'old'"));
        assertEquals(0L, count("SELECT count(*) FROM ml_jobs_archive WHERE archived_at < now() - interval '10 days'"));
        assertEquals(20L, count("SELECT count(*) FROM ml_jobs_archive WHERE input_text = 'archived long ago'"));
        assertEquals(30L, count("SELECT sum(purged) FROM ml_archive_runs"));
    }

    private long count(String sql) {
        return pool.query(sql).execute().await().atMost(Waits.BOUND).iterator().next().getLong(0);
    }

    private void sql(String sql) {
        pool.query(sql).execute().await().atMost(Waits.BOUND);
    }
}
