package io.mljobs.testing;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import io.mljobs.admin.Explainer;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/** EXPLAIN of the service's own SQL, for tests that prove which index a query uses. */
public final class Plans {

    private Plans() {
    }

    /**
     * EXPLAIN EXECUTE of a server-side prepared statement, so that plan_cache_mode
     * ({@code force_custom_plan} or {@code force_generic_plan}) decides which plan is shown.
     */
    public static JsonObject explain(Pool pool, String sql, Tuple args, String planCacheMode) {
        return explainAfter(pool, List.of(), sql, args, planCacheMode);
    }

    /**
     * As {@link #explain}, in a transaction that first runs the setup statements (for example a change of the
     * table and ANALYZE, whose statistics the plan then sees) and is rolled back afterwards.
     */
    public static JsonObject explainAfter(Pool pool, List<String> setup, String sql, Tuple args, String planCacheMode) {
        String name = "plan_check";
        return pool.withConnection(conn -> {
            Uni<?> ready = conn.query("BEGIN").execute();
            for (String statement : setup) {
                ready = ready.chain(() -> conn.query(statement).execute());
            }
            return ready.chain(() -> conn.query("SET LOCAL plan_cache_mode = " + planCacheMode).execute())
                    .chain(() -> conn.query("PREPARE " + name + " AS " + sql).execute())
                    .chain(() -> conn.query("EXPLAIN (FORMAT JSON) EXECUTE " + name + literals(args)).execute())
                    // Also after a failure: the pool gets the connection back outside a transaction and without
                    // the prepared statement, which a rollback does not remove.
                    .eventually(() -> conn.query("ROLLBACK").execute()
                            .chain(() -> conn.query("DEALLOCATE " + name).execute())
                            .onFailure().recoverWithNull());
        }).map(rows -> ((JsonArray) rows.iterator().next().getValue(0)).getJsonObject(0).getJsonObject("Plan"))
                .await().atMost(Waits.BOUND);
    }

    /** The plan's nodes, depth first. */
    public static List<JsonObject> nodes(JsonObject plan) {
        return Explainer.nodes(plan);
    }

    public static Set<String> indexes(JsonObject plan) {
        return nodes(plan).stream().map(n -> n.getString("Index Name")).filter(i -> i != null)
                .collect(Collectors.toSet());
    }

    public static Set<String> nodeTypes(JsonObject plan) {
        return nodes(plan).stream().map(n -> n.getString("Node Type")).collect(Collectors.toSet());
    }

    private static String literals(Tuple args) {
        if (args.size() == 0) {
            return "";
        }
        List<String> values = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            Object value = args.getValue(i);
            values.add(value == null ? "NULL"
                    : value instanceof OffsetDateTime || value instanceof String || value instanceof UUID
                            ? "'" + value + "'"
                            : value.toString());
        }
        return "(" + String.join(", ", values) + ")";
    }
}
