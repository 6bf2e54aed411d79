package io.mljobs.queue;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Body of {@code POST /jobs/{job_uuid}/complete}; worker_id, when given, must hold the job. */
public record CompleteRequest(
        @Schema(nullable = true) Double resultScore,
        @Schema(nullable = true, maxLength = 1000) String resultLabel,
        @Schema(nullable = true, maxLength = 200) String workerId) {
}
