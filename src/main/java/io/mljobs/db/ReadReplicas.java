package io.mljobs.db;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;
import java.util.stream.Stream;

import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.mljobs.config.DatabaseUrls;
import io.mljobs.config.MlJobsConfig;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.PoolOptions;

/**
 * The read replicas of {@code mljobs.db.replica.urls} (none by default): a pool and an admission each, with the
 * API's session timeouts and admission rules, and which of them may serve a read now. {@link Db} asks it for a
 * replica for each query that may use one; {@link ReplicaMonitor} keeps what it knows of each up to date.
 */
@Singleton
public class ReadReplicas {

    static final String MISS = "miss";
    static final String FAILURE = "failure";

    private final List<Replica> replicas = new ArrayList<>();
    private final Duration maxLag;
    private final Duration readDeadline;
    private final int poolSize;
    private final AtomicInteger next = new AtomicInteger();
    private final List<Counter> missCounters = new ArrayList<>();
    private final List<Counter> failureCounters = new ArrayList<>();

    public ReadReplicas(Vertx vertx, MlJobsConfig config, MeterRegistry registry) {
        MlJobsConfig.Db db = config.db();
        this.maxLag = db.replica().maxLag();
        this.readDeadline = db.pool().connectionTimeout().plus(db.statementTimeout()).plusSeconds(1);
        this.poolSize = db.replica().poolSize();
        SessionSettings session = new SessionSettings("ml-jobs-replica", db.statementTimeout(), db.lockTimeout(),
                db.idleInTransactionTimeout(), db.connectTimeout());
        SessionSettings check = new SessionSettings("ml-jobs-replica-check", db.statementTimeout(), db.lockTimeout(),
                db.idleInTransactionTimeout(), db.connectTimeout());
        MlJobsConfig.Db.Pool api = db.pool();
        removeStaleMeters(registry);
        List<String> urls = DatabaseUrls.replicas(config);
        for (int i = 0; i < urls.size(); i++) {
            String url = urls.get(i);
            // ConfigCheck names every bad value at start-up; should this bean come first, it still names this one.
            DatabaseUrls.problem(url).ifPresent(problem -> {
                throw new IllegalStateException("refusing to start: mljobs.db.replica.urls (MLJOBS_DB_REPLICA_URLS): "
                        + problem);
            });
            String name = "replica-" + (i + 1);
            PgConnectOptions server = PgConnectOptions.fromUri(url).setCachePreparedStatements(true);
            if (!DatabaseUrls.hasUser(url)) {
                server.setUser(db.user()).setPassword(db.password().orElse(""));
            }
            Pool pool = pool(vertx, session.applyTo(new PgConnectOptions(server)), name, poolSize);
            Pool checkPool = pool(vertx, check.applyTo(new PgConnectOptions(server)), name + "-check", 1);
            // As the API pool's: the few admitted beyond the connections wait in the pool's own queue.
            Admission admission = new Admission(name, poolSize * api.admittedPerConnection(), api.maxWaitQueueSize(),
                    api.connectionTimeout().toNanos());
            replicas.add(new Replica(name, DatabaseUrls.withoutPassword(url), pool, checkPool, admission,
                    maxLag.toNanos() / 1e9));
        }
        registerMeters(registry);
    }

    private static Pool pool(Vertx vertx, PgConnectOptions server, String name, int size) {
        PoolOptions options = BoundedPoolCreator.unbounded(new PoolOptions().setName(name).setMaxSize(size)
                .setIdleTimeout(5).setIdleTimeoutUnit(TimeUnit.MINUTES)
                .setMaxLifetime(30).setMaxLifetimeUnit(TimeUnit.MINUTES));
        return Pool.newInstance(PgBuilder.pool().with(options).connectingTo(server).using(vertx.getDelegate()).build());
    }

    /** Whether any replica is configured; without one every query runs on the primary, as it always did. */
    public boolean configured() {
        return !replicas.isEmpty();
    }

    public Duration maxLag() {
        return maxLag;
    }

    /** How long a read waits for a replica before it goes to the primary: admission, statement timeout, 1 s. */
    Duration readDeadline() {
        return readDeadline;
    }

    /** Each replica as db-health shows it. */
    public List<ReplicaStatus> status() {
        List<ReplicaStatus> status = new ArrayList<>();
        for (Replica replica : replicas) {
            double lag = replica.lagSeconds();
            status.add(new ReplicaStatus(replica.name(), replica.url(), replica.up(),
                    Double.isNaN(lag) || Double.isInfinite(lag) ? null : lag, replica.serving(), replica.problem(),
                    poolSize, replica.admission().inUse(), replica.admission().queued()));
        }
        return status;
    }

    List<Replica> all() {
        return replicas;
    }

    /**
     * The replica to run a read on, or null for the primary: of those serving reads, the one with the least
     * admitted and waiting work, the first from a rotating start among equals.
     */
    Replica pick() {
        if (replicas.isEmpty()) {
            return null;
        }
        return choose(replicas, next.getAndIncrement(), Replica::serving,
                replica -> replica.admission().inUse() + replica.admission().queued());
    }

    /** The least loaded of the items that pass {@code usable}, looked at from {@code start} on; null if none. */
    static <T> T choose(List<T> items, int start, Predicate<T> usable, ToIntFunction<T> load) {
        T best = null;
        int bestLoad = Integer.MAX_VALUE;
        int n = items.size();
        for (int i = 0; i < n; i++) {
            T item = items.get(Math.floorMod(start + i, n));
            if (usable.test(item)) {
                int itemLoad = load.applyAsInt(item);
                if (itemLoad < bestLoad) {
                    best = item;
                    bestLoad = itemLoad;
                }
            }
        }
        return best;
    }

    /** A read found no row on the replica and is asked of the primary. */
    void missed(Replica replica) {
        missCounters.get(replicas.indexOf(replica)).increment();
    }

    /**
     * A read failed on the replica in a way the primary may not (unreachable, shutting down, busy, a conflict with
     * recovery, no answer by the deadline) and runs again on the primary; a lost connection or no answer takes the
     * replica out until a check answers.
     */
    void failed(Replica replica, Throwable failure) {
        failureCounters.get(replicas.indexOf(replica)).increment();
        if (failure instanceof TimeoutException || DatabaseFailures.isConnectionLost(failure)) {
            replica.down(failure);
        }
    }

    /**
     * A registry that outlives this bean (tests restart the application on a shared one) would keep the meters of
     * replicas an earlier start had, bound to their objects: every meter labelled with a replica goes, before this
     * start's pools and meters are made.
     */
    private static void removeStaleMeters(MeterRegistry registry) {
        registry.getMeters().stream().filter(meter -> Stream.of("replica", "server", "pool", "pool.name")
                .map(meter.getId()::getTag).anyMatch(value -> value != null && value.startsWith("replica-")))
                .toList().forEach(registry::remove);
    }

    private void registerMeters(MeterRegistry registry) {
        for (Replica replica : replicas) {
            Gauge.builder("mljobs.db.replica.lag.seconds", replica, Replica::lagSeconds)
                    .description("Seconds the read replica is behind the primary, at most; NaN while it is down,"
                            + " +Inf while its lag cannot be bounded")
                    .tag("replica", replica.name()).strongReference(true).register(registry);
            Gauge.builder("mljobs.db.replica.up", replica, r -> r.up() ? 1 : 0)
                    .description("1 while the read replica answers its checks")
                    .tag("replica", replica.name()).strongReference(true).register(registry);
            Gauge.builder("mljobs.db.replica.serving", replica, r -> r.serving() ? 1 : 0)
                    .description("1 while reads go to the read replica (up, a standby, within max-lag)")
                    .tag("replica", replica.name()).strongReference(true).register(registry);
            missCounters.add(fallbacks(registry, replica, MISS));
            failureCounters.add(fallbacks(registry, replica, FAILURE));
        }
    }

    private static Counter fallbacks(MeterRegistry registry, Replica replica, String reason) {
        return Counter.builder("mljobs.db.replica.fallbacks")
                .description("Reads run on a read replica and then again on the primary: it had no row yet (miss)"
                        + " or failed (failure)")
                .tag("replica", replica.name()).tag("reason", reason).register(registry);
    }

    @PreDestroy
    void close() {
        for (Replica replica : replicas) {
            replica.pool().closeAndForget();
            replica.checkPool().closeAndForget();
        }
    }
}
