package io.mljobs.archive;

import java.time.Instant;

/**
 * A partition of ml_jobs_archive and its range of archived_at: a month, the legacy partition (no lower bound:
 * the table from before partitioning) or the default one (no bounds).
 */
public record ArchivePartition(String name, Instant lowerBound, Instant upperBound, boolean isDefault) {

    /** What retention does with a partition. */
    public enum Retention {
        /** Every row is past retention: drop the partition, whatever its size, in one catalog change. */
        DROP,
        /** Some rows are past retention, some not (or the bounds cannot tell): delete those rows in batches. */
        DELETE_ROWS,
        /** No row is past retention. */
        KEEP
    }

    /** What retention does with this partition when rows archived before {@code cutoff} go. */
    public Retention retentionAt(Instant cutoff) {
        if (isDefault) {
            return Retention.DELETE_ROWS;
        }
        if (!upperBound.isAfter(cutoff)) {
            return Retention.DROP;
        }
        return lowerBound == null || lowerBound.isBefore(cutoff) ? Retention.DELETE_ROWS : Retention.KEEP;
    }

    /** The name as a quoted SQL identifier, for the statements that name a partition. */
    String identifier() {
        return '"' + name.replace("\"", "\"\"") + '"';
    }
}
