package io.mljobs.admin;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import io.mljobs.db.Db;
import io.mljobs.db.NamedQuery;
import io.mljobs.db.QueryOwner;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Reads the database's own statistics about the service's tables. Every query here reads catalog
 * and statistics views or relation sizes from file metadata: none scans a table, so the answer
 * costs the same at 10M rows as at 1K.
 */
@ApplicationScoped
public class DbHealthRepository implements QueryOwner {

    static final String TABLES = "'ml_jobs', 'ml_jobs_archive'";

    /**
     * The tables that hold t.table_name's rows: itself if it is a plain table, its partitions if it is
     * partitioned (pg_partition_tree answers nothing for a plain table that is no partition).
     */
    private static final String LEAVES = """
            SELECT c0.oid AS relid FROM pg_class c0 WHERE c0.oid = t.table_name::regclass AND c0.relkind = 'r'
            UNION ALL
            SELECT tree.relid FROM pg_partition_tree(t.table_name::regclass) AS tree WHERE tree.isleaf""";

    /**
     * reltuples is -1 until the table's first VACUUM or ANALYZE (PostgreSQL 14+), which a new or little-written
     * table may not get for long: the estimate is then the statistics system's count of live rows (n_live_tup),
     * which is 0 only when the table holds none. ml_jobs_archive is partitioned: the parent has no storage and
     * no I/O statistics, so each figure sums (or, for times, takes the latest of) its partitions; a plain table
     * is its own one leaf. Both read the catalog only.
     */
    static final NamedQuery TABLE_STATS = NamedQuery.background("health.tables", """
            SELECT t.table_name,
                   sum(CASE WHEN c.reltuples < 0 THEN s.n_live_tup ELSE c.reltuples::bigint END)::bigint AS row_estimate,
                   sum(pg_relation_size(c.oid))::bigint AS heap_bytes,
                   sum(pg_indexes_size(c.oid))::bigint AS index_bytes,
                   sum(COALESCE(pg_total_relation_size(NULLIF(c.reltoastrelid, 0)), 0))::bigint AS toast_bytes,
                   sum(pg_total_relation_size(c.oid))::bigint AS total_bytes,
                   sum(s.n_live_tup)::bigint AS live_tuples, sum(s.n_dead_tup)::bigint AS dead_tuples,
                   sum(s.seq_scan)::bigint AS seq_scan, sum(s.idx_scan)::bigint AS idx_scan,
                   max(s.last_vacuum) AS last_vacuum, max(s.last_autovacuum) AS last_autovacuum,
                   max(s.last_analyze) AS last_analyze, max(s.last_autoanalyze) AS last_autoanalyze,
                   sum(io.heap_blks_hit)::bigint AS heap_blks_hit, sum(io.heap_blks_read)::bigint AS heap_blks_read
              FROM unnest(ARRAY[%s]) AS t(table_name)
             CROSS JOIN LATERAL (%s) AS leaf
              JOIN pg_class c ON c.oid = leaf.relid
              JOIN pg_stat_user_tables s ON s.relid = c.oid
              JOIN pg_statio_user_tables io ON io.relid = c.oid
             GROUP BY t.table_name
             ORDER BY t.table_name
            """.formatted(TABLES, LEAVES));

    /**
     * duplicate: another index on the same table with the same columns, operator classes and predicate. The
     * archive's indexes are listed per partition, where their sizes and scans are.
     */
    static final NamedQuery INDEX_STATS = NamedQuery.background("health.indexes", """
            SELECT s.indexrelname AS index_name, s.relname AS table_name,
                   s.idx_scan AS scans, s.idx_tup_read AS tuples_read, s.idx_tup_fetch AS tuples_fetched,
                   pg_relation_size(i.indexrelid) AS bytes,
                   i.indisunique AS is_unique, i.indisprimary AS is_primary, i.indisvalid AS is_valid,
                   s.idx_scan = 0 AND NOT i.indisunique AND NOT i.indisprimary AS unused,
                   EXISTS (SELECT 1 FROM pg_index o
                            WHERE o.indrelid = i.indrelid AND o.indexrelid <> i.indexrelid
                              AND o.indkey::text = i.indkey::text AND o.indclass::text = i.indclass::text
                              AND COALESCE(pg_get_expr(o.indpred, o.indrelid), '')
                                  = COALESCE(pg_get_expr(i.indpred, i.indrelid), '')
                              AND COALESCE(pg_get_expr(o.indexprs, o.indrelid), '')
                                  = COALESCE(pg_get_expr(i.indexprs, i.indrelid), '')) AS duplicate,
                   pg_get_indexdef(i.indexrelid) AS definition
              FROM pg_stat_user_indexes s
              JOIN pg_index i ON i.indexrelid = s.indexrelid
             WHERE s.relid IN (SELECT leaf.relid FROM unnest(ARRAY[%s]) AS t(table_name), LATERAL (%s) AS leaf)
             ORDER BY s.relname, s.indexrelname
            """.formatted(TABLES, LEAVES));

    static final NamedQuery CACHE_HIT = NamedQuery.background("health.cache_hit", """
            SELECT blks_hit::float8 / NULLIF(blks_hit + blks_read, 0) AS ratio
              FROM pg_stat_database WHERE datname = current_database()
            """);

    static final NamedQuery LONG_QUERIES = NamedQuery.background("health.long_queries", """
            SELECT pid, state, extract(epoch FROM now() - query_start) AS seconds,
                   wait_event_type, wait_event, left(query, 300) AS query
              FROM pg_stat_activity
             WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle'
               AND query_start < now() - make_interval(secs => $1)
             ORDER BY query_start
             LIMIT 20
            """);

    static final NamedQuery LOCK_WAITS = NamedQuery.background("health.lock_waits", """
            SELECT pid, pg_blocking_pids(pid)::text AS blocked_by,
                   extract(epoch FROM now() - state_change) AS seconds, left(query, 300) AS query
              FROM pg_stat_activity
             WHERE datname = current_database() AND wait_event_type = 'Lock'
             ORDER BY state_change
             LIMIT 20
            """);

    static final NamedQuery HAS_STATEMENTS = NamedQuery.background("health.has_pg_stat_statements",
            "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements') AS present");

    static final NamedQuery TOP_STATEMENTS = NamedQuery.background("health.top_statements", """
            SELECT left(query, 300) AS query, calls, total_exec_time AS total_ms, mean_exec_time AS mean_ms, rows
              FROM pg_stat_statements
             WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
             ORDER BY total_exec_time DESC
             LIMIT 10
            """);

    private final Db db;

    public DbHealthRepository(Db db) {
        this.db = db;
    }

    @Override
    public List<String> queryNames() {
        return QueryOwner.names(TABLE_STATS, INDEX_STATS, CACHE_HIT, LONG_QUERIES, LOCK_WAITS, HAS_STATEMENTS,
                TOP_STATEMENTS);
    }

    public Uni<List<Map<String, Object>>> tables() {
        return rows(TABLE_STATS, Tuple.tuple());
    }

    public Uni<List<Map<String, Object>>> indexes() {
        return rows(INDEX_STATS, Tuple.tuple());
    }

    public Uni<Double> cacheHitRatio() {
        return db.query(CACHE_HIT, Tuple.tuple()).map(rows -> rows.iterator().next().getDouble("ratio"));
    }

    public Uni<List<Map<String, Object>>> longQueries(Duration threshold) {
        return rows(LONG_QUERIES, Tuple.of(threshold.toMillis() / 1000.0));
    }

    public Uni<List<Map<String, Object>>> lockWaits() {
        return rows(LOCK_WAITS, Tuple.tuple());
    }

    /** The top statements, or why they are unavailable (extension absent or not preloaded). */
    public Uni<Map<String, Object>> topStatements() {
        return db.query(HAS_STATEMENTS, Tuple.tuple()).chain(present -> {
            if (!present.iterator().next().getBoolean("present")) {
                return Uni.createFrom().item(Map.<String, Object> of("available", false, "reason",
                        "the pg_stat_statements extension is not installed in this database"));
            }
            return rows(TOP_STATEMENTS, Tuple.tuple())
                    .map(top -> Map.<String, Object> of("available", true, "statements", top))
                    .onFailure().recoverWithItem(failure -> Map.of("available", false, "reason",
                            String.valueOf(failure.getMessage())));
        });
    }

    private Uni<List<Map<String, Object>>> rows(NamedQuery query, Tuple args) {
        return db.query(query, args).map(rows -> Db.mapRows(rows, DbHealthRepository::toMap));
    }

    /** Column name to value, in select order. */
    private static Map<String, Object> toMap(Row row) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < row.size(); i++) {
            map.put(row.getColumnName(i), row.getValue(i));
        }
        return map;
    }
}
