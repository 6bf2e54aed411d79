package io.mljobs.job;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import io.smallrye.mutiny.Uni;

/**
 * A table that lists jobs in keyset pages on (created_at, id), one index range scan a page: the live jobs
 * ({@link JobRepository}) and the archive. {@link Pages} turns a request into a page of either.
 */
public interface KeysetListing {

    /** Where the job with this job_uuid stands in the order, for cursors of older clients. */
    Uni<Optional<Position>> findPosition(UUID jobUuid);

    /** Up to {@code fetch} rows after {@code continueFrom} (null: from the start) in the request's order. */
    Uni<List<JobView>> findPage(PageRequest request, Position continueFrom, int fetch);
}
