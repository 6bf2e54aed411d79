package io.mljobs.stats;

import java.time.Instant;
import java.util.Map;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Body of {@code GET /jobs/stats}: exact counts as of one snapshot. */
public record JobStats(
        @Schema(required = true, implementation = StatusCounts.class) Map<String, Long> byStatus,
        @Schema(required = true, description = "The sum of by_status") long total,
        // snake_case of last24Hours would be last24_hours.
        @Schema(required = true) @JsonProperty("last_24_hours") long last24Hours,
        @Schema(required = true) Instant asOf) {

    /** What by_status holds, for the document only: a count for every status, always all four. */
    @Schema(name = "StatusCounts")
    record StatusCounts(@Schema(required = true) long pending, @Schema(required = true) long running,
            @Schema(required = true) long completed, @Schema(required = true) long failed) {
    }
}
