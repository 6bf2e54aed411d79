package io.mljobs.job;

import java.time.Instant;
import java.util.UUID;

import io.mljobs.api.Params;
import io.mljobs.api.ProblemException;

/**
 * The validated parameters of {@code GET /jobs}. The cursor is either an opaque {@link Cursor} or,
 * for clients of the older API, the {@code job_uuid} to continue after ({@code afterJob}).
 *
 * @param createdAfter inclusive lower bound on created_at, or null
 * @param createdBefore exclusive upper bound on created_at, or null
 */
public record PageRequest(int limit, JobStatus status, Instant createdAfter, Instant createdBefore,
        SortOrder order, Cursor cursor, UUID afterJob) {

    public static final int MAX_LIMIT = 100;

    public static PageRequest parse(String limit, String cursor, String status, String createdAfter,
            String createdBefore, String order, int defaultLimit) {
        int size = Params.intInRange("limit", limit, 1, MAX_LIMIT, defaultLimit);
        // Present but empty is a client mistake (a template with a missing value), not "no filter".
        Params.presentOrNull("status", status, "one of " + JobStatus.ALLOWED);
        Params.presentOrNull("order", order, "asc or desc");
        Params.presentOrNull("cursor", cursor, "a next_cursor value");
        JobStatus byStatus = null;
        if (status != null) {
            byStatus = JobStatus.parse(status).orElseThrow(() -> ProblemException.invalidParameter("status",
                    "status must be one of " + JobStatus.ALLOWED + "."));
        }
        Instant after = Params.instant("created_after", createdAfter);
        Instant before = Params.instant("created_before", createdBefore);
        if (after != null && before != null && after.isAfter(before)) {
            throw ProblemException.invalidParameter("created_after", "created_after must not be later than "
                    + "created_before.");
        }
        SortOrder requested = null;
        if (order != null) {
            requested = SortOrder.parse(order).orElseThrow(() -> ProblemException.invalidParameter("order",
                    "order must be asc or desc."));
        }

        Cursor position = null;
        UUID afterJob = null;
        if (cursor != null) {
            if (Params.isUuid(cursor)) {
                afterJob = UUID.fromString(cursor);
            } else {
                position = Cursor.decode(cursor);
                if (requested != null && requested != position.order()) {
                    throw ProblemException.invalidParameter("order", "this cursor continues a listing in "
                            + position.order().value() + " order; drop order or pass order="
                            + position.order().value() + ".");
                }
                requested = position.order();
            }
        }
        return new PageRequest(size, byStatus, after, before, requested == null ? SortOrder.DESC : requested,
                position, afterJob);
    }

    /**
     * Rows strictly after this position in (created_at, id) order are in range: the date filter
     * and, ascending, the cursor. Null when nothing bounds the range from below.
     */
    public Position lowerBound(Position continueFrom) {
        Position lower = createdAfter == null ? null : Position.startOf(createdAfter);
        return order == SortOrder.ASC ? later(lower, continueFrom) : lower;
    }

    /** Rows strictly before this position are in range; null when nothing bounds it from above. */
    public Position upperBound(Position continueFrom) {
        Position upper = createdBefore == null ? null : Position.startOf(createdBefore);
        return order == SortOrder.DESC ? earlier(upper, continueFrom) : upper;
    }

    private static Position later(Position a, Position b) {
        if (a == null || b == null) {
            return a == null ? b : a;
        }
        return a.compareTo(b) >= 0 ? a : b;
    }

    private static Position earlier(Position a, Position b) {
        if (a == null || b == null) {
            return a == null ? b : a;
        }
        return a.compareTo(b) <= 0 ? a : b;
    }
}
