package io.mljobs.queue;

import java.util.List;
import java.util.UUID;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Body of {@code POST /jobs/results}: 1 to 1,000 results reported in one statement. */
public record ResultsRequest(@Schema(required = true, minItems = 1, maxItems = 1000) List<Item> results) {

    /** status is completed or failed; the other fields as for the single-job endpoints. */
    @Schema(name = "Result")
    public record Item(
            @Schema(required = true, description = "Unique within the request") UUID jobUuid,
            @Schema(required = true, enumeration = {
                    "completed", "failed" }) String status,
            @Schema(nullable = true) Double resultScore,
            @Schema(nullable = true, maxLength = 1000) String resultLabel,
            @Schema(nullable = true, maxLength = 10000, description = "Required when status is failed") String error,
            @Schema(nullable = true, maxLength = 200) String workerId){
    }
}
