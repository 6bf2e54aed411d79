package io.mljobs.job;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Body of {@code POST /jobs}. */
public record CreateJobRequest(
        @Schema(required = true, minLength = 1, description = "Not blank; at most mljobs.jobs.max-input-length (10,000) characters") String inputText) {
}
