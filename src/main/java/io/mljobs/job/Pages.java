package io.mljobs.job;

import java.util.List;

import io.mljobs.api.ProblemException;
import io.smallrye.mutiny.Uni;

/** The keyset paging rules, the same for every {@link KeysetListing}: cursors, limits, whether more follow. */
public final class Pages {

    private Pages() {
    }

    /** One keyset page; fetches one row more than asked to learn whether another page follows. */
    public static Uni<JobPage> page(KeysetListing listing, PageRequest request) {
        return continuePosition(listing, request)
                .chain(position -> listing.findPage(request, position, request.limit() + 1))
                .map(rows -> {
                    boolean hasMore = rows.size() > request.limit();
                    List<JobView> page = hasMore ? rows.subList(0, request.limit()) : rows;
                    String next = hasMore ? nextCursor(page.get(page.size() - 1), request.order()) : null;
                    return new JobPage(page, new JobPage.Pagination(next, hasMore, request.limit()));
                });
    }

    private static Uni<Position> continuePosition(KeysetListing listing, PageRequest request) {
        if (request.cursor() != null) {
            return Uni.createFrom().item(request.cursor().position());
        }
        if (request.afterJob() == null) {
            return Uni.createFrom().nullItem();
        }
        // Older clients pass the last job_uuid they saw: one indexed lookup finds its position.
        return listing.findPosition(request.afterJob()).map(found -> found.orElseThrow(
                () -> ProblemException.invalidParameter("cursor", "cursor names job " + request.afterJob()
                        + ", which does not exist.")));
    }

    private static String nextCursor(JobView last, SortOrder order) {
        return new Cursor(Position.of(last.createdAt(), last.id()), order).encode();
    }
}
