package io.mljobs.job;

import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** One page of a listing and where the next one starts. */
public record JobPage(@Schema(required = true) List<JobView> jobs, @Schema(required = true) Pagination pagination) {

    /** {@code next_cursor} is null on the last page. */
    public record Pagination(
            @Schema(required = true, nullable = true, description = "Pass back as cursor for the next page; null on the last") String nextCursor,
            @Schema(required = true) boolean hasMore,
            @Schema(required = true) int limit) {
    }
}
