package io.mljobs.db;

/**
 * A SQL statement, the name it is timed, logged and explained under, and the class of work it
 * belongs to. Declared once, as a constant in the repository that owns the table access, and run
 * only through {@link Db}.
 */
public record NamedQuery(String name, String sql, Workload workload) {

    /** A statement of the request path: short timeouts, admission by {@link Db}'s API queue. */
    public static NamedQuery of(String name, String sql) {
        return new NamedQuery(name, sql.strip(), Workload.API);
    }

    /** A statement of scheduled or administrative work, on the background pool with longer timeouts. */
    public static NamedQuery background(String name, String sql) {
        return new NamedQuery(name, sql.strip(), Workload.BACKGROUND);
    }

    /** The statement on one line, for logs; built on demand, as only slow queries log it. */
    public String oneLine() {
        return sql.replaceAll("\\s+", " ");
    }
}
