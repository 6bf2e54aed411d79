package io.mljobs.db;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.mljobs.config.DatabaseUrls;
import io.mljobs.config.MlJobsConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;
import io.vertx.sqlclient.PoolOptions;

/**
 * The hosts of {@code mljobs.db.url} and which of them is the primary now. With one host (the default) that host is,
 * and nothing is checked. With several (libpq's multi-host form, {@code postgresql://h1:5432,h2:5432/db}) each is
 * asked every {@code mljobs.db.failover.check-every}, on a one-connection pool of its own, whether it is in recovery:
 * the primary is the one that is not (should two say so, the one on the newest timeline: the one promoted last).
 *
 * <p>
 * Every pool of the primary (API, background, the LISTEN connection) connects through {@link #follow}: a new
 * connection goes to the host known to be the primary; while none is known it waits for a check (at most
 * check-timeout) and, if there is still none, fails at once with {@link NoPrimaryException}, a 503. Connections to an
 * old primary die with it (PostgreSQL cannot turn a primary into a standby without a restart), and a lost one or a
 * write refused as read-only makes {@link Db} ask for a check at once ({@link #suspect}) rather than at the next tick.
 */
@Singleton
public class PrimaryHosts implements QueryOwner {

    private static final Logger LOG = Logger.getLogger(PrimaryHosts.class);

    /**
     * On each host's check connection. pg_walfile_name's first 8 digits are the timeline a primary writes on; it
     * raises an error during recovery, which CASE never evaluates it in.
     */
    static final NamedQuery CHECK = NamedQuery.background("primary.check", """
            SELECT pg_is_in_recovery() AS standby,
                   CASE WHEN pg_is_in_recovery() THEN 0
                        ELSE ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int END AS timeline
            """);

    /** Checks asked for by connections (rather than the timer) come no closer together than this. */
    private static final long MIN_GAP_NANOS = Duration.ofMillis(100).toNanos();

    private final List<String> urls;
    private final List<Host> hosts = new ArrayList<>();
    private final Db db;
    private final Vertx vertx;
    private final Duration checkEvery;
    private final Duration checkTimeout;

    /** The index of the primary in {@link #urls}, -1 while none is known. */
    private volatile int primary = -1;
    private Future<Void> round;
    private long lastRoundEnded;
    private long timerId = -1;

    public PrimaryHosts(Db db, Vertx vertx, MlJobsConfig config, MeterRegistry registry) {
        MlJobsConfig.Db settings = config.db();
        this.urls = DatabaseUrls.hosts(settings.url());
        this.db = db;
        this.vertx = vertx;
        this.checkEvery = settings.failover().checkEvery();
        this.checkTimeout = settings.failover().checkTimeout();
        registry.find("mljobs.db.primary").meters().forEach(registry::remove);
        if (urls.size() < 2) {
            primary = 0;
            return;
        }
        SessionSettings session = new SessionSettings("ml-jobs-primary-check", checkTimeout, checkTimeout,
                settings.idleInTransactionTimeout(), settings.connectTimeout());
        List<PgConnectOptions> servers = perHost(new PgConnectOptions().setUser(settings.user())
                .setPassword(settings.password().orElse("")).setCachePreparedStatements(true));
        for (int i = 0; i < urls.size(); i++) {
            String name = "host-" + (i + 1);
            PoolOptions options = BoundedPoolCreator.unbounded(new PoolOptions().setName(name + "-check").setMaxSize(1)
                    .setIdleTimeout(5).setIdleTimeoutUnit(TimeUnit.MINUTES));
            Pool pool = Pool.newInstance(PgBuilder.pool().with(options).connectingTo(session.applyTo(servers.get(i)))
                    .using(vertx.getDelegate()).build());
            Host host = new Host(name, DatabaseUrls.withoutPassword(urls.get(i)), pool);
            hosts.add(host);
            int index = i;
            Gauge.builder("mljobs.db.primary", this, p -> p.primary == index ? 1 : 0)
                    .description("1 for the host of mljobs.db.url that is the primary now, 0 for the others")
                    .tag("host", name).strongReference(true).register(registry);
        }
    }

    @Override
    public List<String> queryNames() {
        return List.of();
    }

    /** Runs on every host (each its own server label), and only when there are several. */
    @Override
    public List<String> hostQueryNames() {
        return QueryOwner.names(CHECK);
    }

    /** host-1, host-2, … for the hosts of a multi-host URL; none for one host (no checks run). */
    List<String> checkedHosts() {
        return hosts.stream().map(Host::name).toList();
    }

    /**
     * The template once per host, in order: its settings (user, password, TLS, pipelining, …) with each host's
     * address and the URL's database and parameters.
     */
    public List<PgConnectOptions> perHost(PgConnectOptions template) {
        List<PgConnectOptions> servers = new ArrayList<>();
        for (String url : urls) {
            PgConnectOptions parsed = PgConnectOptions.fromUri(url);
            PgConnectOptions server = new PgConnectOptions(template).setHost(parsed.getHost())
                    .setPort(parsed.getPort()).setDatabase(parsed.getDatabase());
            parsed.getProperties().forEach((key, value) -> {
                if (!value.equals(PgConnectOptions.DEFAULT_PROPERTIES.get(key))) {
                    server.addProperty(key, value);
                }
            });
            if (parsed.getSslMode() != SslMode.DISABLE) {
                server.setSslMode(parsed.getSslMode());
            }
            servers.add(server);
        }
        return servers;
    }

    /**
     * Where a new connection goes, one item per host in order: the primary's now, or, while none is known, the
     * primary's after a check; a {@link NoPrimaryException} if there is still none.
     */
    public <T> Supplier<Future<T>> follow(List<T> perHost) {
        if (hosts.isEmpty()) {
            Future<T> only = Future.succeededFuture(perHost.get(0));
            return () -> only;
        }
        return () -> primary().map(perHost::get);
    }

    private Future<Integer> primary() {
        int now = primary;
        if (now >= 0) {
            return Future.succeededFuture(now);
        }
        return checkNow().compose(ignored -> {
            int found = primary;
            return found >= 0 ? Future.succeededFuture(found)
                    : Future.failedFuture(new NoPrimaryException("no primary among " + addresses()
                            + " (a failover under way?)"));
        });
    }

    /** A primary's connection was lost or a write on it refused as read-only: check every host now. */
    void suspect() {
        if (!hosts.isEmpty()) {
            checkNow();
        }
    }

    void start(@Observes StartupEvent event) {
        if (!hosts.isEmpty()) {
            checkNow();
            timerId = vertx.setPeriodic(checkEvery.toMillis(), id -> checkNow());
        }
    }

    void stop(@Observes ShutdownEvent event) {
        if (timerId >= 0) {
            vertx.cancelTimer(timerId);
        }
    }

    @PreDestroy
    void close() {
        hosts.forEach(host -> host.pool().closeAndForget());
    }

    /** The round under way, or a new one; a round asked for within {@link #MIN_GAP_NANOS} of the last is not made. */
    private synchronized Future<Void> checkNow() {
        if (round != null) {
            return round;
        }
        if (System.nanoTime() - lastRoundEnded < MIN_GAP_NANOS) {
            return Future.succeededFuture();
        }
        Promise<Void> done = Promise.promise();
        round = done.future();
        List<Uni<Answer>> answers = new ArrayList<>();
        hosts.forEach(host -> answers.add(ask(host)));
        Uni.join().all(answers).andFailFast().subscribe().with(all -> {
            decide(all);
            ended();
            done.complete();
        }, failure -> {
            // ask() recovers from every failure; should one slip through, nothing is learnt from this round.
            LOG.debugf("primary check failed: %s", failure.getMessage());
            ended();
            done.complete();
        });
        return done.future();
    }

    private synchronized void ended() {
        round = null;
        lastRoundEnded = System.nanoTime();
    }

    /**
     * A host's answer within check-timeout. Its query is not given up with the wait: while one is still going the
     * next is not sent, so that checks of a host that hangs do not pile up.
     */
    private Uni<Answer> ask(Host host) {
        if (!host.checkGoing().compareAndSet(false, true)) {
            return Uni.createFrom().item(Answer.UNKNOWN);
        }
        Uni<RowSet<Row>> answer = Uni.createFrom().deferred(() -> db.check(host.name(), host.pool(), CHECK, Tuple.tuple()))
                .onTermination().invoke(() -> host.checkGoing().set(false))
                .memoize().indefinitely();
        answer.subscribe().with(ignored -> {
        }, ignored -> {
        });
        return answer.ifNoItem().after(checkTimeout)
                .failWith(() -> new TimeoutException("no answer within " + checkTimeout.toMillis() + " ms"))
                .map(rows -> {
                    Row row = rows.iterator().next();
                    return Boolean.TRUE.equals(row.getBoolean("standby")) ? Answer.STANDBY
                            : new Answer(Kind.PRIMARY, row.getInteger("timeline"));
                })
                .onFailure().recoverWithItem(failure -> {
                    LOG.debugf("primary check of %s (%s): %s", host.name(), host.url(), failure.getMessage());
                    // Only a host that is gone or refuses is known not to be the primary; a slow one may still be.
                    return DatabaseFailures.isConnectionLost(failure) ? Answer.DOWN : Answer.UNKNOWN;
                });
    }

    /** Takes the host {@link #choose} picks for the primary, and logs a change. */
    private void decide(List<Answer> answers) {
        int current = primary;
        int chosen = choose(current, answers);
        if (chosen == current) {
            return;
        }
        primary = chosen;
        long claims = answers.stream().filter(answer -> answer.kind() == Kind.PRIMARY).count();
        if (chosen >= 0) {
            LOG.warnf("primary is now %s (%s, timeline %d)%s", hosts.get(chosen).name(), hosts.get(chosen).url(),
                    answers.get(chosen).timeline(), claims > 1 ? "; " + claims + " hosts say they are a primary" : "");
        } else {
            LOG.warnf("no primary among %s; database work answers 503 until one is found", addresses());
        }
    }

    /**
     * The index of the primary by this round's answers, or -1: the host that says it is one on the newest timeline,
     * the current one among equals. Without one, the current primary stays only if its own answer did not rule it
     * out (it was merely slow).
     */
    static int choose(int current, List<Answer> answers) {
        int chosen = -1;
        for (int i = 0; i < answers.size(); i++) {
            Answer answer = answers.get(i);
            if (answer.kind() == Kind.PRIMARY && (chosen < 0 || answer.timeline() > answers.get(chosen).timeline()
                    || (answer.timeline() == answers.get(chosen).timeline() && i == current))) {
                chosen = i;
            }
        }
        if (chosen < 0 && current >= 0 && answers.get(current).kind() == Kind.UNKNOWN) {
            chosen = current;
        }
        return chosen;
    }

    private String addresses() {
        return String.join(", ", hosts.stream().map(host -> host.name() + " (" + host.url() + ")").toList());
    }

    enum Kind {
        PRIMARY,
        STANDBY,
        /** Refused or lost the connection: not the primary. */
        DOWN,
        /** No answer in time, or an error that says nothing of its role. */
        UNKNOWN
    }

    record Answer(Kind kind, int timeline) {
        static final Answer STANDBY = new Answer(Kind.STANDBY, 0);
        static final Answer DOWN = new Answer(Kind.DOWN, 0);
        static final Answer UNKNOWN = new Answer(Kind.UNKNOWN, 0);
    }

    private record Host(String name, String url, Pool pool, AtomicBoolean checkGoing) {
        Host(String name, String url, Pool pool) {
            this(name, url, pool, new AtomicBoolean());
        }
    }
}
