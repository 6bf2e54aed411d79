package io.mljobs.db;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

import org.jboss.logging.Logger;

/**
 * One WARN per interval while work is being shed, with counts, and one when shedding stops:
 * under a burst, thousands of requests a second get 503, and a line each would cost more than
 * the answers themselves.
 */
final class OverloadLog {

    private static final Logger LOG = Logger.getLogger(OverloadLog.class);

    private final Collection<Admission> admissions;
    private final Map<Admission, long[]> seen = new HashMap<>();
    private final Map<Admission, Boolean> shedding = new HashMap<>();

    OverloadLog(Collection<Admission> admissions) {
        this.admissions = admissions;
    }

    /** Called periodically on one timer, so no synchronisation is needed here. */
    void report() {
        for (Admission admission : admissions) {
            long full = admission.rejectedQueueFull.sum();
            long late = admission.rejectedWaitedTooLong.sum();
            long[] before = seen.getOrDefault(admission, new long[2]);
            long newFull = full - before[0];
            long newLate = late - before[1];
            seen.put(admission, new long[] { full, late });
            boolean wasShedding = shedding.getOrDefault(admission, false);
            if (newFull + newLate > 0) {
                shedding.put(admission, true);
                LOG.warnf("%s pool overloaded: %d requests answered 503 since the last report (%d with the wait queue"
                        + " full, %d after waiting too long); %d/%d connections busy, %d waiting", admission.name(),
                        newFull + newLate, newFull, newLate, admission.inUse(), admission.permits(),
                        admission.queued());
            } else if (wasShedding) {
                shedding.put(admission, false);
                LOG.warnf("%s pool no longer overloaded", admission.name());
            }
        }
    }
}
