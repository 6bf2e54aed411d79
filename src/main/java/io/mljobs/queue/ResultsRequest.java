package io.mljobs.queue;

import java.util.List;
import java.util.UUID;

/** Body of {@code POST /jobs/results}: 1 to 1,000 results reported in one statement. */
public record ResultsRequest(List<Item> results) {

    /** status is completed or failed; the other fields as for the single-job endpoints. */
    public record Item(UUID jobUuid, String status, Double resultScore, String resultLabel, String error,
            String workerId) {
    }
}
