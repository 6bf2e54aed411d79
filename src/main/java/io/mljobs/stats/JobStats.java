package io.mljobs.stats;

import java.time.Instant;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Body of {@code GET /jobs/stats}: exact counts as of one snapshot. */
public record JobStats(
        Map<String, Long> byStatus,
        long total,
        // snake_case of last24Hours would be last24_hours.
        @JsonProperty("last_24_hours") long last24Hours,
        Instant asOf) {
}
