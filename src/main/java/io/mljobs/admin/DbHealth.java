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
}
