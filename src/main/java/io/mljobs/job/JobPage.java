package io.mljobs.job;

import java.util.List;

/** One page of a listing and where the next one starts. */
public record JobPage(List<JobView> jobs, Pagination pagination) {

    /** {@code next_cursor} is null on the last page. */
    public record Pagination(String nextCursor, boolean hasMore, int limit) {
    }
}
