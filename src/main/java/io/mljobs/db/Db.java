package io.mljobs.db;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import java.util.stream.DoubleStream;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.mljobs.config.MlJobsConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowIterator;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgException;

/**
 * The one path every query takes: admitted by its pool's {@link Admission}, timed by name and server
 * ({@code mljobs_db_query_seconds{query, outcome, server}}), logged with its SQL and counted when slower than the
 * threshold.
 *
 * <p>
 * Hibernate Reactive Panache owns the {@code Job} entity and its one write, submitting a single job (an
 * unconditional one-row insert); every read and every conditional, set-based or batch statement goes through the
 * SQL client as a {@link NamedQuery}. A NamedQuery runs as a prepared statement on the pool of its
 * {@link Workload} ({@link #query}); the entity write runs in {@link #timed}, on the API workload, and its log line
 * shows the SQL Hibernate sent ({@link OrmStatements}).
 *
 * <p>
 * A query whose {@link NamedQuery.Route} allows it runs on a read replica that {@link ReadReplicas} says is serving
 * (up, a standby, within max-lag), behind that replica's own admission. It runs again on the primary when the
 * replica cannot answer (unreachable, shutting down, busy, a conflict with recovery: no request fails for a late or
 * missing replica), and, for a lookup, when the replica has no row yet.
 */
@ApplicationScoped
public class Db {

    private static final Logger LOG = Logger.getLogger(Db.class);

    /** 0.1 ms to 10 s, about three buckets a decade: enough for p50/p99, few series per query. */
    private static final Duration[] BUCKETS = DoubleStream.of(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500,
            1_000, 2_500, 5_000, 10_000).mapToObj(ms -> Duration.ofNanos((long) (ms * 1_000_000)))
            .toArray(Duration[]::new);

    private static final String SUCCESS = "success";
    private static final String ERROR = "error";
    /** The server label of every query not run on a read replica. */
    static final String PRIMARY = "primary";

    private static final int CONFLICT_RETRIES = 2;
    private static final long EXPIRY_EVERY_MS = 50;

    private final Map<Workload, Pool> pools = new EnumMap<>(Workload.class);
    private final Map<Workload, Admission> admissions = new EnumMap<>(Workload.class);
    /** Reads a replica could answer, run on the primary: admitted here first, then by the API admission. */
    private final Admission primaryReads;
    private final MeterRegistry registry;
    private final long slowNanos;
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();
    private final Map<String, Counter> slowCounters = new ConcurrentHashMap<>();
    private final Map<String, Counter> conflictCounters = new ConcurrentHashMap<>();
    private final Outages outages = new Outages();
    private final Vertx vertx;
    private final List<Long> timerIds = new ArrayList<>();
    private final OrmStatements ormStatements = new OrmStatements();
    private final ReadReplicas replicas;
    private final PrimaryHosts primaryHosts;

    public Db(Pool pool, BackgroundPool background, ReadReplicas replicas, PrimaryHosts primaryHosts, Vertx vertx,
            MeterRegistry registry, MlJobsConfig config) {
        MlJobsConfig.Db.Pool apiPool = config.db().pool();
        int maxWaitQueue = apiPool.maxWaitQueueSize();
        Duration connectionTimeout = apiPool.connectionTimeout();
        this.registry = registry;
        this.slowNanos = config.db().slowQueryThreshold().toNanos();
        this.vertx = vertx;
        this.replicas = replicas;
        this.primaryHosts = primaryHosts;
        pools.put(Workload.API, pool);
        pools.put(Workload.BACKGROUND, background.pool());
        // More admitted than connections: the few beyond them wait in the pool's own queue, which hands
        // a released connection over at once, where a hand-over through this queue leaves it idle for
        // an event-loop turn (measured: 20-25% fewer listings and claims a second with one per connection).
        int admitted = apiPool.maxSize() * apiPool.admittedPerConnection();
        admissions.put(Workload.API,
                new Admission(Workload.API.poolName(), admitted, maxWaitQueue, connectionTimeout.toNanos()));
        // A bulkhead: a read waits for one of these permits, then is admitted like any API work.
        primaryReads = new Admission("api_reads", apiPool.readsMaxSizeOrDefault(), maxWaitQueue,
                connectionTimeout.toNanos());
        // Background work is few and long: it may queue longer, never behind API requests.
        admissions.put(Workload.BACKGROUND, new Admission(Workload.BACKGROUND.poolName(), background.size(), maxWaitQueue,
                Math.max(connectionTimeout.toNanos(), Duration.ofSeconds(30).toNanos())));
        List<Admission> all = new ArrayList<>(admissions.values());
        all.add(primaryReads);
        replicas.all().forEach(replica -> all.add(replica.admission()));
        all.forEach(this::registerMeters);
        timerIds.add(vertx.setPeriodic(EXPIRY_EVERY_MS, id -> all.forEach(Admission::expireWaiters)));
        // Not the replicas': what they turn away runs on the primary, whose admission answers for it.
        OverloadLog overloadLog = new OverloadLog(List.of(admissions.get(Workload.API), primaryReads,
                admissions.get(Workload.BACKGROUND)));
        timerIds.add(vertx.setPeriodic(config.db().overloadLogEvery().toMillis(), id -> overloadLog.report()));
    }

    /**
     * Every series a declared query can have, at 0, from start-up. Names only built at run time (tests' own) get
     * theirs when first used; the label values stay the names the code declares either way.
     */
    void exportDeclaredQueries(@Observes StartupEvent event, Instance<QueryOwner> owners) {
        owners.forEach(owner -> {
            owner.queryNames().forEach(name -> declare(name, PRIMARY));
            // Only the queries a replica may answer, and only for the replicas configured: a bounded set.
            replicas.all().forEach(replica -> owner.replicaQueryNames().forEach(name -> declare(name, replica.name())));
            // Only with several primary hosts, which are then checked.
            primaryHosts.checkedHosts().forEach(host -> owner.hostQueryNames().forEach(name -> declare(name, host)));
        });
    }

    private void declare(String name, String server) {
        timer(name, SUCCESS, server);
        timer(name, ERROR, server);
        slowCounter(name);
        conflictCounter(name);
    }

    void stop(@Observes ShutdownEvent event) {
        timerIds.forEach(vertx::cancelTimer);
        ormStatements.close();
    }

    /**
     * Runs the query on a pooled connection of its workload, as its own transaction. PostgreSQL
     * rolls back a statement it picks as a deadlock victim or serialization failure whole, so
     * running it again is safe; it is retried up to {@value #CONFLICT_RETRIES} times before the
     * caller sees it.
     */
    public Uni<RowSet<Row>> query(NamedQuery query, Tuple args) {
        if (query.route().mayUseReplica()) {
            Replica replica = replicas.pick();
            if (replica != null) {
                return onReplica(replica, query, args);
            }
        }
        return onPrimary(query, args);
    }

    /** Runs the query on the given client (of the primary), e.g. the connection of an open transaction. */
    public Uni<RowSet<Row>> query(SqlClient client, NamedQuery query, Tuple args) {
        return timed(query.name(), PRIMARY, query::oneLine, () -> client.preparedQuery(query.sql()).execute(args));
    }

    /** Runs a replica's lag check on its check connection, timed under the replica's server label. */
    Uni<RowSet<Row>> check(Replica replica, NamedQuery query, Tuple args) {
        return check(replica.name(), replica.checkPool(), query, args);
    }

    /** Runs a check on a server's own check pool, timed under that server's label (not the primary's: no outage). */
    Uni<RowSet<Row>> check(String server, Pool checkPool, NamedQuery query, Tuple args) {
        return timed(query.name(), server, query::oneLine, () -> checkPool.preparedQuery(query.sql()).execute(args));
    }

    private Uni<RowSet<Row>> onPrimary(NamedQuery query, Tuple args) {
        Pool pool = pools.get(query.workload());
        Uni<RowSet<Row>> admitted = admissions.get(query.workload()).run(() -> query(pool, query, args)
                .onFailure(Db::isTransientConflict).retry().atMost(CONFLICT_RETRIES));
        return query.workload() == Workload.API && query.route().mayUseReplica()
                ? primaryReads.run(() -> admitted)
                : admitted;
    }

    /**
     * On the replica, behind its admission; again on the primary if the replica could not answer now (a failure
     * the primary would share, such as a value PostgreSQL refuses, is the caller's) or, for a lookup, had no row.
     * A conflict with recovery is not retried on the replica: the primary has none. A replica that has not answered
     * by the read deadline (its admission wait, its statement timeout and a second) has hung, not merely slowed:
     * the caller stops waiting and goes to the primary, and the work left on the replica keeps its permit until it
     * ends, so its admission still counts the connection as busy.
     */
    private Uni<RowSet<Row>> onReplica(Replica replica, NamedQuery query, Tuple args) {
        return replica.admission().run(() -> timed(query.name(), replica.name(), query::oneLine,
                () -> replica.pool().preparedQuery(query.sql()).execute(args)))
                .ifNoItem().after(replicas.readDeadline()).failWith(() -> new TimeoutException(replica.name()
                        + " did not answer within " + replicas.readDeadline().toMillis() + " ms"))
                .onItemOrFailure().transformToUni((rows, failure) -> {
                    if (failure == null) {
                        if (rows.size() == 0 && query.route() == NamedQuery.Route.REPLICA_PRIMARY_ON_MISS) {
                            replicas.missed(replica);
                            return onPrimary(query, args);
                        }
                        return Uni.createFrom().item(rows);
                    }
                    if (!(failure instanceof TimeoutException) && !DatabaseFailures.isUnavailable(failure)) {
                        return Uni.createFrom().failure(failure);
                    }
                    replicas.failed(replica, failure);
                    return onPrimary(query, args);
                });
    }

    /** Runs background work in one transaction on one connection: committed if it succeeds, rolled back if not. */
    public <T> Uni<T> inTransaction(Function<SqlClient, Uni<T>> work) {
        return admissions.get(Workload.BACKGROUND).run(() -> pools.get(Workload.BACKGROUND)
                .withTransaction(work::apply));
    }

    /** Runs background work on one connection, e.g. to hold a session-level lock across queries. */
    public <T> Uni<T> withConnection(Function<SqlClient, Uni<T>> work) {
        return admissions.get(Workload.BACKGROUND).run(() -> pools.get(Workload.BACKGROUND)
                .withConnection(work::apply));
    }

    /**
     * Admits and times Hibernate Reactive work of the request path under a name; a slow one is logged with the SQL
     * it sent. Like all Panache work it must start on a Vert.x duplicated context, which its statements are kept in.
     */
    public <T> Uni<T> timed(String name, Supplier<Uni<T>> work) {
        return admissions.get(Workload.API).run(() -> Uni.createFrom().deferred(() -> {
            OrmStatements.Sent sent = ormStatements.record();
            return timed(name, PRIMARY, sent::oneLine, work).onTermination().invoke(sent::close);
        }));
    }

    /** The admission of a workload's pool: its permits, queue and stall, for health checks and db-health. */
    public Admission admission(Workload workload) {
        return admissions.get(workload);
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

    /**
     * Times the work under its name and server. Only the primary's failures count as an outage: a replica that
     * fails is skipped (ReadReplicas logs it), and its reads are answered by the primary.
     */
    private <T> Uni<T> timed(String name, String server, Supplier<String> sqlForLog, Supplier<Uni<T>> work) {
        boolean primary = PRIMARY.equals(server);
        return Uni.createFrom().deferred(() -> {
            long start = System.nanoTime();
            return work.get().onItemOrFailure().invoke((item, failure) -> {
                long elapsed = System.nanoTime() - start;
                timer(name, failure == null ? SUCCESS : ERROR, server).record(Duration.ofNanos(elapsed));
                if (failure == null) {
                    if (primary) {
                        outages.succeeded();
                    }
                } else if (isTransientConflict(failure)) {
                    conflictCounter(name).increment();
                } else if (primary && DatabaseFailures.isUnavailable(failure)) {
                    outages.failed(failure);
                    if (DatabaseFailures.mayBeFailover(failure)) {
                        primaryHosts.suspect();
                    }
                }
                if (elapsed >= slowNanos) {
                    slowCounter(name).increment();
                    if (primary) {
                        LOG.warnf("slow query %s took %.1f ms: %s", name, elapsed / 1e6, sqlForLog.get());
                    } else {
                        LOG.warnf("slow query %s took %.1f ms on %s: %s", name, elapsed / 1e6, server, sqlForLog.get());
                    }
                }
            });
        });
    }

    private void registerMeters(Admission admission) {
        removeStale("mljobs.db.pool.rejected", admission);
        gauge("mljobs.db.pool.in.use", "Database work running on a connection of the pool", admission,
                Admission::inUse);
        gauge("mljobs.db.pool.queued", "Database work waiting for a connection of the pool", admission,
                Admission::queued);
        gauge("mljobs.db.pool.stalled.seconds", "Seconds the pool's admitted work has made no progress (0: none)",
                admission, a -> a.stalledNanos() / 1e9);
        FunctionCounter.builder("mljobs.db.pool.rejected", admission.rejectedQueueFull, adder -> adder.sum())
                .description("Database work answered 503 without reaching the database").tag("pool", admission.name())
                .tag("reason", "queue_full").register(registry);
        FunctionCounter.builder("mljobs.db.pool.rejected", admission.rejectedWaitedTooLong, adder -> adder.sum())
                .description("Database work answered 503 without reaching the database").tag("pool", admission.name())
                .tag("reason", "wait_timeout").register(registry);
    }

    private void gauge(String name, String help, Admission admission, ToDoubleFunction<Admission> value) {
        removeStale(name, admission);
        Gauge.builder(name, admission, value).description(help).tag("pool", admission.name()).strongReference(true)
                .register(registry);
    }

    /**
     * Micrometer keeps the first meter registered under a name and tags, bound to its object; a
     * registry that outlives this bean (tests restart the application on a shared one) would keep
     * reading the old one.
     */
    private void removeStale(String name, Admission admission) {
        registry.find(name).tag("pool", admission.name()).meters().forEach(registry::remove);
    }

    private Timer timer(String name, String outcome, String server) {
        return timers.computeIfAbsent(name + '|' + outcome + '|' + server, key -> Timer.builder("mljobs.db.query")
                .description("Database query execution time by query name and server (primary, replica-1, …)")
                .tag("query", name)
                .tag("outcome", outcome)
                .tag("server", server)
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
