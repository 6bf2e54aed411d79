package io.mljobs.queue;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Body of {@code POST /jobs/{job_uuid}/heartbeat} (optional); worker_id, when given, must hold the job. */
public record HeartbeatRequest(@Schema(nullable = true, maxLength = 200) String workerId) {
}
