package io.mljobs.admin;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * Body of {@code GET /admin/db-health}. Table and index rows carry the statistics views' own
 * column names; sizes are bytes, durations seconds.
 */
public record DbHealth(
        @Schema(required = true) List<Map<String, Object>> tables,
        @Schema(required = true) List<Map<String, Object>> indexes,
        @Schema(required = true, nullable = true) Double cacheHitRatio,
        @Schema(required = true) Pool pool,
        @Schema(required = true, description = "The read replicas of mljobs.db.replica.urls, in order; empty without") List<Replica> replicas,
        @Schema(required = true) List<Map<String, Object>> longRunningQueries,
        @Schema(required = true) List<Map<String, Object>> lockWaits,
        @Schema(required = true, description = "{available: true, statements: [...]} from pg_stat_statements, or "
                + "{available: false, reason}") Map<String, Object> topStatements,
        @Schema(required = true) Instant asOf) {

    /** The reactive pool: configured size, connections in use and idle, requests waiting. */
    @Schema(name = "DbHealthPool")
    public record Pool(@Schema(required = true) int maxSize, @Schema(required = true, nullable = true) Double inUse,
            @Schema(required = true, nullable = true) Double idle, @Schema(required = true, nullable = true) Double waiting) {
    }

    /**
     * A read replica as its last check (every 500 ms) found it. in_use: reads go to it now (it answers, is a
     * standby and is within max-lag); otherwise problem says why they go to the primary.
     */
    @Schema(name = "DbHealthReplica")
    public record Replica(
            @Schema(required = true, description = "replica-1, replica-2, … by position: the metrics' label") String name,
            @Schema(required = true, description = "Its URL, without password") String url,
            @Schema(required = true) boolean up,
            @Schema(required = true, nullable = true, description = "Seconds behind the primary, at most; null while down or not yet bounded") Double lagSeconds,
            @Schema(required = true) double maxLagSeconds,
            @Schema(required = true) boolean inUse,
            @Schema(required = true, nullable = true) String problem,
            @Schema(required = true) int connections,
            @Schema(required = true, description = "Reads running on its connections (admitted)") int busy,
            @Schema(required = true, description = "Reads waiting for one of its connections") int waiting) {
    }
}
