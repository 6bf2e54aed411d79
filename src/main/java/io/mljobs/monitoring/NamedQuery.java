package io.mljobs.monitoring;

/**
 * A SQL statement and the name it is timed, logged and explained under. Declared once, as a
 * constant in the repository that owns the table access, and run only through {@link Db}.
 */
public record NamedQuery(String name, String sql) {

    public static NamedQuery of(String name, String sql) {
        return new NamedQuery(name, sql.strip());
    }

    /** The statement on one line, for logs; built on demand, as only slow queries log it. */
    public String oneLine() {
        return sql.replaceAll("\\s+", " ");
    }
}
