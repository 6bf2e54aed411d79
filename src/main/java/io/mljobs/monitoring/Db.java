package io.mljobs.monitoring;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;
import io.vertx.pgclient.PgException;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowIterator;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.DoubleStream;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The one path every query takes: a prepared statement on the reactive pool, timed by name
 * ({@code mljobs_db_query_seconds{query,outcome}}), logged and counted when slower than the
 * threshold. ORM work that issues its own SQL is timed through {@link #timed}.
 */
@ApplicationScoped
public class Db {

    private static final Logger LOG = Logger.getLogger(Db.class);

    /** 0.1 ms to 10 s, about three buckets a decade: enough for p50/p99, few series per query. */
    private static final Duration[] BUCKETS = DoubleStream.of(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500,
            1_000, 2_500, 5_000, 10_000).mapToObj(ms -> Duration.ofNanos((long) (ms * 1_000_000)))
            .toArray(Duration[]::new);

    private static final int CONFLICT_RETRIES = 2;

    private final Pool pool;
    private final MeterRegistry registry;
    private final long slowNanos;
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();
    private final Map<String, Counter> slowCounters = new ConcurrentHashMap<>();
    private final Map<String, Counter> conflictCounters = new ConcurrentHashMap<>();

    public Db(Pool pool, MeterRegistry registry,
            @ConfigProperty(name = "mljobs.db.slow-query-threshold") Duration slowThreshold) {
        this.pool = pool;
        this.registry = registry;
        this.slowNanos = slowThreshold.toNanos();
    }

    /**
     * Runs the query on a pooled connection, as its own transaction. PostgreSQL rolls back a
     * statement it picks as a deadlock victim or serialization failure whole, so running it again
     * is safe; it is retried up to {@value #CONFLICT_RETRIES} times before the caller sees it.
     */
    public Uni<RowSet<Row>> query(NamedQuery query, Tuple args) {
        return query(pool, query, args).onFailure(Db::isTransientConflict).retry().atMost(CONFLICT_RETRIES);
    }

    /** Runs the query on the given client, e.g. the connection of an open transaction. */
    public Uni<RowSet<Row>> query(SqlClient client, NamedQuery query, Tuple args) {
        return timed(query.name(), query::oneLine, () -> client.preparedQuery(query.sql()).execute(args));
    }

    /** Runs work in one transaction on one connection: committed if it succeeds, rolled back if not. */
    public <T> Uni<T> inTransaction(Function<SqlClient, Uni<T>> work) {
        return pool.withTransaction(work::apply);
    }

    /** Runs work on one pooled connection, e.g. to hold a session-level lock across queries. */
    public <T> Uni<T> withConnection(Function<SqlClient, Uni<T>> work) {
        return pool.withConnection(work::apply);
    }

    /** Times work that runs its own SQL (Hibernate Reactive) under a name. */
    public <T> Uni<T> timed(String name, Supplier<Uni<T>> work) {
        return timed(name, () -> "(orm) " + name, work);
    }

    /** SQLSTATE class 40: the server rolled the transaction back (deadlock, serialization failure). */
    public static boolean isTransientConflict(Throwable failure) {
        return failure instanceof PgException pg && pg.getSqlState() != null && pg.getSqlState().startsWith("40");
    }

    public static Optional<Row> firstRow(RowSet<Row> rows) {
        RowIterator<Row> it = rows.iterator();
        return it.hasNext() ? Optional.of(it.next()) : Optional.empty();
    }

    public static <T> List<T> mapRows(RowSet<Row> rows, Function<Row, T> mapper) {
        List<T> mapped = new ArrayList<>(rows.size());
        rows.forEach(row -> mapped.add(mapper.apply(row)));
        return mapped;
    }

    private <T> Uni<T> timed(String name, Supplier<String> sqlForLog, Supplier<Uni<T>> work) {
        return Uni.createFrom().deferred(() -> {
            long start = System.nanoTime();
            return work.get().onItemOrFailure().invoke((item, failure) -> {
                long elapsed = System.nanoTime() - start;
                timer(name, failure == null ? "success" : "error").record(Duration.ofNanos(elapsed));
                if (failure != null && isTransientConflict(failure)) {
                    conflictCounter(name).increment();
                }
                if (elapsed >= slowNanos) {
                    slowCounter(name).increment();
                    LOG.warnf("slow query %s took %.1f ms: %s", name, elapsed / 1e6, sqlForLog.get());
                }
            });
        });
    }

    private Timer timer(String name, String outcome) {
        return timers.computeIfAbsent(name + '|' + outcome, key -> Timer.builder("mljobs.db.query")
                .description("Database query execution time by query name")
                .tag("query", name)
                .tag("outcome", outcome)
                .serviceLevelObjectives(BUCKETS)
                .register(registry));
    }

    private Counter conflictCounter(String name) {
        return conflictCounters.computeIfAbsent(name, key -> Counter.builder("mljobs.db.conflicts")
                .description("Statements PostgreSQL rolled back as a deadlock victim or serialization failure;"
                        + " one outside a transaction runs again up to twice")
                .tag("query", name)
                .register(registry));
    }

    private Counter slowCounter(String name) {
        return slowCounters.computeIfAbsent(name, key -> Counter.builder("mljobs.db.slow.queries")
                .description("Queries slower than mljobs.db.slow-query-threshold")
                .tag("query", name)
                .register(registry));
    }
}
