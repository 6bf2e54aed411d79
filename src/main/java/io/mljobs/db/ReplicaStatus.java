package io.mljobs.db;

/**
 * A read replica as the last check found it: its URL without password, whether it answers, how far behind the
 * primary it is (null while down or unbounded), whether reads go to it and why not, and its pool's admission.
 */
public record ReplicaStatus(String name, String url, boolean up, Double lagSeconds, boolean servingReads,
        String problem, int connections, int inUse, int waiting) {
}
