package io.mljobs.queue;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Body of {@code POST /jobs/claim}. */
public record ClaimRequest(
        @Schema(nullable = true, maxLength = 200, description = "Required unless access control is on, where it may only name "
                + "the authenticated user") String workerId,
        @Schema(nullable = true, minimum = "1", maximum = "100", defaultValue = "1") Integer limit,
        @Schema(nullable = true, minimum = "0", maximum = "30", defaultValue = "0", description = "While no job is "
                + "pending, wait up to this many seconds for one instead of answering an empty list at once") Integer waitSeconds) {
}
