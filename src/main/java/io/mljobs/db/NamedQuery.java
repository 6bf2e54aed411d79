package io.mljobs.db;

/**
 * A SQL statement, the name it is timed, logged and explained under, the class of work it belongs to, and
 * whether a read replica may answer it. Declared once, as a constant in the repository that owns the table
 * access, and run only through {@link Db}.
 */
public record NamedQuery(String name, String sql, Workload workload, Route route) {

    /** Which server may answer a query that {@link Db#query(NamedQuery, io.vertx.mutiny.sqlclient.Tuple)} runs. */
    public enum Route {
        /** Only the primary: every write, claim and report, and reads that must see the latest commit. */
        PRIMARY,
        /** A read replica within the staleness bound if one is usable, else the primary. */
        REPLICA,
        /**
         * As {@link #REPLICA}, but an answer without rows is asked again of the primary: a lookup by key of
         * something the client may have just created (read-your-writes).
         */
        REPLICA_PRIMARY_ON_MISS;

        public boolean mayUseReplica() {
            return this != PRIMARY;
        }
    }

    /** A statement of the request path: short timeouts, admission by {@link Db}'s API queue, the primary. */
    public static NamedQuery of(String name, String sql) {
        return new NamedQuery(name, sql.strip(), Workload.API, Route.PRIMARY);
    }

    /** A statement of scheduled or administrative work, on the background pool with longer timeouts. */
    public static NamedQuery background(String name, String sql) {
        return new NamedQuery(name, sql.strip(), Workload.BACKGROUND, Route.PRIMARY);
    }

    /**
     * A read of the request path that a read replica may answer, up to {@code mljobs.db.replica.max-lag} behind
     * the primary. Without a usable replica it runs as {@link #of} would.
     */
    public static NamedQuery read(String name, String sql) {
        return new NamedQuery(name, sql.strip(), Workload.API, Route.REPLICA);
    }

    /**
     * A read a replica may answer whose empty answer may only mean the replica has not yet replayed the row: then
     * the primary is asked. For lookups by key of what a client may have just written.
     */
    public static NamedQuery lookup(String name, String sql) {
        return new NamedQuery(name, sql.strip(), Workload.API, Route.REPLICA_PRIMARY_ON_MISS);
    }

    /** This statement, also for a read replica when one is usable (the workload's pool otherwise). */
    public NamedQuery onReplica() {
        return new NamedQuery(name, sql, workload, Route.REPLICA);
    }

    /** This statement, for a read replica, with an empty answer asked again of the primary. */
    public NamedQuery onReplicaPrimaryOnMiss() {
        return new NamedQuery(name, sql, workload, Route.REPLICA_PRIMARY_ON_MISS);
    }

    /** The statement on one line, for logs; built on demand, as only slow queries log it. */
    public String oneLine() {
        return sql.replaceAll("\\s+", " ");
    }
}
