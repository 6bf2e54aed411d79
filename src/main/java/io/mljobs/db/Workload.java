package io.mljobs.db;

import java.util.Locale;

/**
 * The two classes of database work. Each has a pool of its own, so that scheduled and admin work
 * (archival, compaction, explain) never waits behind a burst of API requests, and its own session
 * timeouts, so that an API statement gives up in seconds while an archival batch may take longer.
 */
public enum Workload {
    API,
    BACKGROUND;

    /** Its pool's name in metrics: the pool label of the admission's meters and pool_name of the pool's own. */
    public String poolName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
