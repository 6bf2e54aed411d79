package io.mljobs.queue;

/** Body of {@code POST /jobs/{job_uuid}/complete}; worker_id, when given, must hold the job. */
public record CompleteRequest(Double resultScore, String resultLabel, String workerId) {
}
