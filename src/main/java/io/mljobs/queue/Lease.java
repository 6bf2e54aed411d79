package io.mljobs.queue;

import java.time.Instant;
import java.util.UUID;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** A running job's lease after a heartbeat: silent past lease_expires_at, it goes back to pending. */
public record Lease(
        @Schema(required = true) UUID jobUuid,
        @Schema(required = true, nullable = true) String workerId,
        @Schema(required = true) Instant heartbeatAt,
        @Schema(required = true) Instant leaseExpiresAt) {
}
