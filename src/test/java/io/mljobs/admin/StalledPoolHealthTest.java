package io.mljobs.admin;

import static io.restassured.RestAssured.given;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.mljobs.db.Db;
import io.mljobs.testing.PostgresTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;

/**
 * When connections are lost to something outside the admission queue (work that never ends),
 * readiness goes DOWN, then liveness too, so the platform restarts the pod; if the work ends after
 * all, both come back UP by themselves.
 */
@QuarkusTest
@TestProfile(StalledPoolHealthTest.QuickStall.class)
@WithTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "label", value = "stall"))
class StalledPoolHealthTest {

    public static class QuickStall implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("mljobs.db.pool.max-size", "2", "mljobs.db.pool.admitted-per-connection", "1",
                    "mljobs.db.pool.connection-timeout", "PT0.3S",
                    "mljobs.health.stall-not-ready-after", "PT1S",
                    "mljobs.health.stall-not-live-after", "PT2S");
        }
    }

    @Inject
    Db db;

    @Test
    void stalledPoolTakesReadinessThenLivenessDownAndRecoveryBringsThemBack() throws Exception {
        given().get("/q/health/ready").then().statusCode(200);
        List<UniEmitter<? super Object>> lost = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 2; i++) {
            db.timed("test.lost", () -> Uni.createFrom().emitter(lost::add)).subscribe().with(item -> {
            });
        }
        given().get("/jobs?limit=1").then().statusCode(503);
        awaitStatus("/q/health/ready", 503);
        awaitStatus("/q/health/live", 503);

        lost.forEach(emitter -> emitter.complete(null));
        awaitStatus("/q/health/live", 200);
        awaitStatus("/q/health/ready", 200);
        given().get("/jobs?limit=1").then().statusCode(200);
    }

    private static void awaitStatus(String path, int status) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        int seen;
        while ((seen = given().get(path).statusCode()) != status) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(path + " answered " + seen + ", not " + status + ", for 10 s");
            }
            Thread.sleep(100);
        }
    }
}
