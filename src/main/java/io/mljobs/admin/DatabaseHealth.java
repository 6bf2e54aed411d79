package io.mljobs.admin;

import java.time.Duration;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

import io.mljobs.config.MlJobsConfig;
import io.mljobs.db.Admission;
import io.mljobs.db.Db;
import io.mljobs.db.NamedQuery;
import io.mljobs.db.QueryOwner;
import io.mljobs.db.Workload;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Readiness: PostgreSQL answers a ping (on the background pool, so that a burst of API requests
 * does not make the pod look down and push its load onto the others) and the API pool is making
 * progress. Liveness: the API pool has not been stalled for longer than a restart costs: admitted
 * work that ends neither way for that long means connections were lost, and only a new process
 * gets them back.
 */
@ApplicationScoped
public class DatabaseHealth implements QueryOwner {

    static final NamedQuery PING = NamedQuery.background("health.ping", "SELECT 1");

    private final Db db;
    private final Duration pingTimeout;
    private final long notReadyAfterNanos;
    private final long notLiveAfterNanos;

    public DatabaseHealth(Db db, MlJobsConfig config) {
        this.db = db;
        this.pingTimeout = config.health().pingTimeout();
        this.notReadyAfterNanos = config.health().stallNotReadyAfter().toNanos();
        this.notLiveAfterNanos = config.health().stallNotLiveAfter().toNanos();
    }

    @Override
    public List<String> queryNames() {
        return QueryOwner.names(PING);
    }

    @Readiness
    @ApplicationScoped
    public static class Ready implements AsyncHealthCheck {

        private final DatabaseHealth health;

        public Ready(DatabaseHealth health) {
            this.health = health;
        }

        @Override
        public Uni<HealthCheckResponse> call() {
            return health.readiness();
        }
    }

    @Liveness
    @ApplicationScoped
    public static class Live implements AsyncHealthCheck {

        private final DatabaseHealth health;

        public Live(DatabaseHealth health) {
            this.health = health;
        }

        @Override
        public Uni<HealthCheckResponse> call() {
            return Uni.createFrom().item(health.liveness());
        }
    }

    Uni<HealthCheckResponse> readiness() {
        Admission api = db.admission(Workload.API);
        long stalled = api.stalledNanos();
        HealthCheckResponseBuilder response = withPool(HealthCheckResponse.named("database"), api);
        if (stalled > notReadyAfterNanos) {
            return Uni.createFrom().item(response.down().withData("reason", "the API pool has made no progress for "
                    + stalled / 1_000_000_000 + " s").build());
        }
        return db.query(PING, Tuple.tuple())
                .ifNoItem().after(pingTimeout).fail()
                .map(rows -> response.up().build())
                .onFailure().recoverWithItem(failure -> response.down()
                        .withData("reason", "PostgreSQL did not answer a ping: " + failure.getMessage()).build());
    }

    HealthCheckResponse liveness() {
        Admission api = db.admission(Workload.API);
        long stalled = api.stalledNanos();
        HealthCheckResponseBuilder response = withPool(HealthCheckResponse.named("database-pool-progress"), api);
        return stalled > notLiveAfterNanos
                ? response.down().withData("reason", "the API pool has made no progress for " + stalled / 1_000_000_000
                        + " s; a restart returns its connections").build()
                : response.up().build();
    }

    private static HealthCheckResponseBuilder withPool(HealthCheckResponseBuilder response, Admission pool) {
        return response.withData("connections_busy", pool.inUse()).withData("connections", pool.permits())
                .withData("waiting", pool.queued());
    }
}
