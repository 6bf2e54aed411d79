package io.mljobs.queue;

import io.mljobs.job.JobStatus;

/** A validated result for one running job: completed with a score and label, or failed with an error. */
public record Finish(JobStatus status, Double resultScore, String resultLabel, String error, String workerId) {
}
