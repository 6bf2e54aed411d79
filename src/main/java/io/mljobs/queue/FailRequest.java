package io.mljobs.queue;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Body of {@code POST /jobs/{job_uuid}/fail}; worker_id, when given, must hold the job. */
public record FailRequest(
        @Schema(required = true, minLength = 1, maxLength = 10000) String error,
        @Schema(nullable = true, maxLength = 200) String workerId) {
}
