package io.mljobs.queue;

/** Body of {@code POST /jobs/{job_uuid}/fail}; worker_id, when given, must hold the job. */
public record FailRequest(String error, String workerId) {
}
