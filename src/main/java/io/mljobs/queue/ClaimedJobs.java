package io.mljobs.queue;

import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import io.mljobs.job.JobView;

/** The jobs a claim moved to running, oldest first; empty when the queue is. */
public record ClaimedJobs(@Schema(required = true) List<JobView> jobs) {
}
