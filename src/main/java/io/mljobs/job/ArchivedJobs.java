package io.mljobs.job;

import java.util.Optional;
import java.util.UUID;

import io.smallrye.mutiny.Uni;

/**
 * Where {@code GET /jobs/{job_uuid}} looks for a job that is no longer live. The archive feature implements it:
 * declared here, so that job, which archive builds on, does not depend on archive.
 */
public interface ArchivedJobs {

    /** The archived job with every field and its {@code archived_at}, if the archive holds it. */
    Uni<Optional<JobView>> findByUuid(UUID jobUuid);
}
