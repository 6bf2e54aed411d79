package io.mljobs.queue;

import io.mljobs.job.JobView;
import java.util.List;

/** The jobs a claim moved to running, oldest first; empty when the queue is. */
public record ClaimedJobs(List<JobView> jobs) {
}
