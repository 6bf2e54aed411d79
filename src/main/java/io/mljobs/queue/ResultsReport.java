package io.mljobs.queue;

import java.util.List;
import java.util.UUID;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import io.mljobs.job.JobStatus;

/** One outcome per reported result, in request order. */
public record ResultsReport(@Schema(required = true) List<Outcome> results) {

    public static final String NOT_FOUND = "not_found";
    public static final String CONFLICT = "conflict";

    /**
     * outcome: the new status (completed, failed) when applied; not_found; or conflict, with the
     * job's status, when it was not running or was held by another worker.
     */
    @Schema(name = "ResultOutcome")
    public record Outcome(
            @Schema(required = true) UUID jobUuid,
            @Schema(required = true, enumeration = {
                    "completed", "failed", "not_found", "conflict" }) String outcome,
            // Inline, not the JobStatus enum: OpenAPI 3.0 lets null through a $ref to an enum only by listing it there.
            @Schema(required = true, nullable = true, implementation = String.class, description = "The job's status now: pending, "
                    + "running, completed or failed; null when not_found") JobStatus status){
    }
}
