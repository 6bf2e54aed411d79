package io.mljobs.admin;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import io.mljobs.api.LowerCaseEnums;
import io.mljobs.db.Db;
import io.mljobs.db.NamedQuery;
import io.mljobs.db.QueryOwner;
import io.mljobs.db.Rows;
import io.mljobs.job.JobRepository;
import io.mljobs.job.PageRequest;
import io.mljobs.job.Position;
import io.mljobs.stats.StatsRepository;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * {@code EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)} of the service's own read queries, with arguments
 * it picks itself: nothing from a request becomes SQL. Runs in a read-only transaction.
 */
@ApplicationScoped
public class Explainer implements QueryOwner {

    /** The plans on offer; each names the service query it explains. */
    public enum Type {
        PENDING,
        RECENT,
        STATUS_COUNT,
        DATE_RANGE,
        DEEP_PAGE;

        public String value() {
            return LowerCaseEnums.value(this);
        }

        /** The name its EXPLAIN runs under; built per request, but from this fixed set. */
        String queryName() {
            return "explain." + value();
        }

        public static Optional<Type> parse(String value) {
            return LowerCaseEnums.parse(Type.class, value);
        }
    }

    /** Ends of the time index, to aim date ranges and deep pages at where the data is. */
    static final NamedQuery TIME_SPAN = NamedQuery.background("explain.time_span",
            "SELECT (SELECT min(created_at) FROM ml_jobs) AS oldest, (SELECT max(created_at) FROM ml_jobs) AS newest");

    /** ANALYZE runs the statement: the transaction guarantees it can change nothing. */
    static final NamedQuery READ_ONLY = NamedQuery.background("explain.read_only", "SET TRANSACTION READ ONLY");

    @Schema(name = "QueryPlanSummary")
    public record Summary(
            @Schema(required = true, enumeration = {
                    "pending", "recent", "status_count", "date_range",
                    "deep_page" }) String queryType,
            @Schema(required = true) String queryName,
            @Schema(required = true) List<String> nodeTypes,
            @Schema(required = true) List<String> indexes,
            @Schema(required = true) boolean usesIndex,
            @Schema(required = true) boolean seqScan,
            @Schema(required = true) double planningMs,
            @Schema(required = true) double executionMs,
            @Schema(required = true) long rows,
            // A Vert.x JsonObject: application.properties gives its schema (the scanner sees an Iterable).
            @Schema(required = true, description = "The plan's root node as PostgreSQL "
                    + "writes it (FORMAT JSON): Node Type, Actual Rows, Plans…") JsonObject plan){
    }

    private final Db db;

    public Explainer(Db db) {
        this.db = db;
    }

    @Override
    public List<String> queryNames() {
        return Stream.concat(QueryOwner.names(TIME_SPAN, READ_ONLY).stream(), Stream.of(Type.values()).map(Type::queryName))
                .toList();
    }

    public Uni<Summary> explain(Type type) {
        return db.query(TIME_SPAN, Tuple.tuple()).chain(rows -> {
            var row = rows.iterator().next();
            Instant newest = Rows.instant(row, "newest");
            Instant oldest = Rows.instant(row, "oldest");
            Target target = target(type, oldest, newest);
            NamedQuery explain = NamedQuery.background(type.queryName(),
                    "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + target.query().sql());
            return db.inTransaction(conn -> db.query(conn, READ_ONLY, Tuple.tuple())
                    .chain(() -> db.query(conn, explain, target.args())))
                    .map(result -> summarize(type, target.query().name(), (JsonArray) result.iterator().next().getValue(0)));
        });
    }

    private record Target(NamedQuery query, Tuple args) {
    }

    private static Target target(Type type, Instant oldest, Instant newest) {
        return switch (type) {
            case PENDING -> page(PageRequest.parse("50", null, "pending", null, null, "asc", 50), null);
            case RECENT -> page(PageRequest.parse("50", null, null, null, null, "desc", 50), null);
            case STATUS_COUNT -> new Target(StatsRepository.READ, Tuple.tuple());
            case DATE_RANGE -> {
                Instant end = newest == null ? Instant.now() : newest;
                yield page(PageRequest.parse("50", null, "completed", end.minus(30, ChronoUnit.DAYS).toString(),
                        end.toString(), "desc", 50), null);
            }
            case DEEP_PAGE -> {
                // A newest-first walk 99% of the way down: the cursor sits 1% above the oldest job.
                Instant low = oldest == null ? Instant.EPOCH : oldest;
                Instant high = newest == null ? Instant.now() : newest;
                Instant at = low.plusMillis((high.toEpochMilli() - low.toEpochMilli()) / 100);
                yield page(PageRequest.parse("50", null, null, null, null, "desc", 50), Position.of(at, Long.MAX_VALUE));
            }
        };
    }

    private static Target page(PageRequest request, Position from) {
        return new Target(JobRepository.pageQueryFor(request), JobRepository.pageArgs(request, from, request.limit() + 1));
    }

    private static Summary summarize(Type type, String queryName, JsonArray explained) {
        JsonObject root = explained.getJsonObject(0);
        JsonObject plan = root.getJsonObject("Plan");
        List<JsonObject> nodes = nodes(plan);
        Set<String> nodeTypes = new LinkedHashSet<>();
        Set<String> indexes = new LinkedHashSet<>();
        for (JsonObject node : nodes) {
            nodeTypes.add(node.getString("Node Type"));
            if (node.getString("Index Name") != null) {
                indexes.add(node.getString("Index Name"));
            }
        }
        boolean seqScan = nodes.stream().anyMatch(n -> "Seq Scan".equals(n.getString("Node Type"))
                && n.getString("Relation Name", "").startsWith("ml_jobs"));
        return new Summary(type.value(), queryName, List.copyOf(nodeTypes), List.copyOf(indexes), !indexes.isEmpty(),
                seqScan, root.getDouble("Planning Time", 0.0), root.getDouble("Execution Time", 0.0),
                plan.getLong("Actual Rows", 0L), plan);
    }

    /** The nodes of an EXPLAIN (FORMAT JSON) plan, depth first. */
    public static List<JsonObject> nodes(JsonObject plan) {
        List<JsonObject> into = new ArrayList<>();
        collect(plan, into);
        return into;
    }

    private static void collect(JsonObject node, List<JsonObject> into) {
        into.add(node);
        JsonArray children = node.getJsonArray("Plans");
        if (children != null) {
            children.forEach(child -> collect((JsonObject) child, into));
        }
    }
}
