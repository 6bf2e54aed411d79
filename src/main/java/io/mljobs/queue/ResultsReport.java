package io.mljobs.queue;

import java.util.List;
import java.util.UUID;

import io.mljobs.job.JobStatus;

/** One outcome per reported result, in request order. */
public record ResultsReport(List<Outcome> results) {

    public static final String NOT_FOUND = "not_found";
    public static final String CONFLICT = "conflict";

    /**
     * outcome: the new status (completed, failed) when applied; not_found; or conflict, with the
     * job's status, when it was not running or was held by another worker.
     */
    public record Outcome(UUID jobUuid, String outcome, JobStatus status) {
    }
}
