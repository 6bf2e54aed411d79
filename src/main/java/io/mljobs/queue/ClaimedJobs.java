package io.mljobs.queue;

import java.util.List;

import io.mljobs.job.JobView;

/** The jobs a claim moved to running, oldest first; empty when the queue is. */
public record ClaimedJobs(List<JobView> jobs) {
}
