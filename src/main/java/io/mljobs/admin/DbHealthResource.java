package io.mljobs.admin;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.mljobs.api.ProblemResponses;
import io.mljobs.config.MlJobsConfig;
import io.mljobs.db.ReadReplicas;
import io.mljobs.db.Workload;
import io.smallrye.mutiny.Uni;

/** What an operator needs to see of the database, without a shell on it. */
@Path("/admin/db-health")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "admin")
@SecurityRequirement(name = "basic")
@APIResponse(responseCode = "401", ref = ProblemResponses.UNAUTHORIZED)
@APIResponse(responseCode = "403", ref = ProblemResponses.NOT_ADMIN)
@APIResponse(responseCode = "429", ref = ProblemResponses.TOO_MANY_FAILED_LOGINS)
@APIResponse(responseCode = "503", ref = ProblemResponses.UNAVAILABLE)
public class DbHealthResource {

    private final DbHealthRepository health;
    private final ReadReplicas replicas;
    private final MeterRegistry registry;
    private final int poolMaxSize;
    private final Duration longQueryThreshold;

    public DbHealthResource(DbHealthRepository health, ReadReplicas replicas, MeterRegistry registry,
            MlJobsConfig config) {
        this.health = health;
        this.replicas = replicas;
        this.registry = registry;
        this.poolMaxSize = config.db().pool().maxSize();
        this.longQueryThreshold = config.db().longQueryThreshold();
    }

    @GET
    @Operation(operationId = "getDbHealth", summary = "Sizes, index usage, vacuum state, cache hits, pool, read replicas, long queries, lock waits, top statements")
    @APIResponse(responseCode = "200", description = "OK", content = @Content(schema = @Schema(implementation = DbHealth.class)))
    public Uni<DbHealth> health() {
        return Uni.combine().all()
                .unis(health.tables(), health.indexes(), health.cacheHitRatio(), health.longQueries(longQueryThreshold),
                        health.lockWaits(), health.topStatements())
                .with((tables, indexes, cacheHit, longQueries, lockWaits, top) -> new DbHealth(tables, indexes,
                        cacheHit, pool(), replicas(), longQueries, lockWaits, top, Instant.now()));
    }

    private List<DbHealth.Replica> replicas() {
        double maxLag = replicas.maxLag().toNanos() / 1e9;
        return replicas.status().stream().map(r -> new DbHealth.Replica(r.name(), r.url(), r.up(), r.lagSeconds(),
                maxLag, r.servingReads(), r.problem(), r.connections(), r.inUse(), r.waiting())).toList();
    }

    /** From the API pool's own gauges (the sql_pool_*{pool_name="api"} series at /q/metrics). */
    private DbHealth.Pool pool() {
        return new DbHealth.Pool(poolMaxSize, gauge("sql.pool.active"), gauge("sql.pool.idle"),
                gauge("sql.pool.queue.size"));
    }

    private Double gauge(String name) {
        Gauge gauge = registry.find(name).tag("pool.name", Workload.API.poolName()).gauge();
        return gauge == null ? null : gauge.value();
    }
}
