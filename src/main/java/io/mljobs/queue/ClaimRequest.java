package io.mljobs.queue;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Body of {@code POST /jobs/claim}. */
public record ClaimRequest(
        @Schema(nullable = true, maxLength = 200, description = "Required unless access control is on, where it may only name "
                + "the authenticated user") String workerId,
        @Schema(nullable = true, minimum = "1", maximum = "100", defaultValue = "1") Integer limit) {
}
