package io.mljobs.queue;

/** Body of {@code POST /jobs/{job_uuid}/heartbeat} (optional); worker_id, when given, must hold the job. */
public record HeartbeatRequest(String workerId) {
}
