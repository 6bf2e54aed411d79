package io.mljobs.admin;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Body of {@code GET /admin/db-health}. Table and index rows carry the statistics views' own
 * column names; sizes are bytes, durations seconds.
 */
public record DbHealth(
        List<Map<String, Object>> tables,
        List<Map<String, Object>> indexes,
        Double cacheHitRatio,
        Pool pool,
        List<Map<String, Object>> longRunningQueries,
        List<Map<String, Object>> lockWaits,
        Map<String, Object> topStatements,
        Instant asOf) {

    /** The reactive pool: configured size, connections in use and idle, requests waiting. */
    public record Pool(int maxSize, Double inUse, Double idle, Double waiting) {
    }
}
