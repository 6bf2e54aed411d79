package io.mljobs.queue;

import java.time.Instant;
import java.util.UUID;

/** A running job's lease after a heartbeat: silent past lease_expires_at, it goes back to pending. */
public record Lease(UUID jobUuid, String workerId, Instant heartbeatAt, Instant leaseExpiresAt) {
}
