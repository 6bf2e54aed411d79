package io.mljobs.db;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Checks every read replica each {@value #EVERY_MS} ms, on a Vert.x timer (nothing blocks): first the primary's WAL
 * position, then each replica's replayed position and last replayed commit, from which {@link ReplicaLag} bounds
 * its lag. A replica that does not answer within {@value #CHECK_TIMEOUT_MS} ms is down until one answers, so a
 * stopped replica is skipped within a second and used again within a second of being back. A check that is still
 * going when the next is due is not doubled: that one is skipped.
 */
@ApplicationScoped
public class ReplicaMonitor implements QueryOwner {

    private static final Logger LOG = Logger.getLogger(ReplicaMonitor.class);

    static final long EVERY_MS = 500;
    static final long CHECK_TIMEOUT_MS = 500;

    /** On the background pool: its admission waits up to 30 s, so the check gives up sooner and goes without. */
    static final NamedQuery PRIMARY_WAL = NamedQuery.background("replica.primary_wal",
            "SELECT pg_current_wal_lsn()::text AS lsn");

    /** On the replica's check connection. */
    static final NamedQuery CHECK = NamedQuery.background("replica.check", """
            SELECT pg_is_in_recovery() AS standby,
                   pg_last_wal_replay_lsn()::text AS replayed,
                   extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8 AS replay_age
            """);

    private final Db db;
    private final ReadReplicas replicas;
    private final Vertx vertx;
    private final ReplicaLag lag = new ReplicaLag();
    private final AtomicBoolean checking = new AtomicBoolean();
    private volatile long timerId = -1;

    public ReplicaMonitor(Db db, ReadReplicas replicas, Vertx vertx) {
        this.db = db;
        this.replicas = replicas;
        this.vertx = vertx;
    }

    @Override
    public List<String> queryNames() {
        return QueryOwner.names(PRIMARY_WAL);
    }

    @Override
    public List<String> replicaQueryNames() {
        return QueryOwner.names(CHECK);
    }

    void start(@Observes StartupEvent event) {
        if (replicas.configured()) {
            check();
            timerId = vertx.setPeriodic(EVERY_MS, id -> check());
        }
    }

    void stop(@Observes ShutdownEvent event) {
        if (timerId >= 0) {
            vertx.cancelTimer(timerId);
        }
    }

    /**
     * One round: the primary's position, then every replica at once. The position is stamped with the time it was
     * asked for (it is at least that new), and the lags are as of that time: a replica that has replayed it is 0
     * behind.
     */
    void check() {
        if (!checking.compareAndSet(false, true)) {
            return;
        }
        long asked = System.nanoTime();
        Uni.createFrom().deferred(() -> db.query(PRIMARY_WAL, Tuple.tuple()))
                .ifNoItem().after(Duration.ofMillis(CHECK_TIMEOUT_MS))
                .failWith(() -> new TimeoutException("no answer within " + CHECK_TIMEOUT_MS + " ms"))
                .map(rows -> {
                    lag.primaryAt(asked, ReplicaLag.parseLsn(rows.iterator().next().getString("lsn")));
                    return asked;
                })
                .onFailure().recoverWithItem(failure -> {
                    // Without it the lag is bounded by the replay timestamps and older positions alone.
                    LOG.debugf("primary WAL position not read for the replica check: %s", failure.getMessage());
                    return System.nanoTime();
                })
                .chain(asOf -> {
                    List<Uni<Void>> checks = new ArrayList<>();
                    replicas.all().forEach(replica -> checks.add(check(replica, asOf)));
                    return Uni.join().all(checks).andCollectFailures().replaceWithVoid();
                })
                .onTermination().invoke(() -> checking.set(false))
                .subscribe().with(ignored -> {
                }, failure -> LOG.debugf("replica check failed: %s", failure.getMessage()));
    }

    /**
     * A check answered within the timeout brings the replica up (or not, by its lag); none, down. The query itself
     * is not given up with the wait: while one is still going the next is not sent, so that checks of a replica
     * that hangs do not pile up in its check pool.
     */
    private Uni<Void> check(Replica replica, long asOf) {
        if (!replica.checkStarted()) {
            replica.down(new TimeoutException("its last check has not answered yet"));
            return Uni.createFrom().voidItem();
        }
        Uni<RowSet<Row>> answer = Uni.createFrom().deferred(() -> db.check(replica, CHECK, Tuple.tuple()))
                .onTermination().invoke(replica::checkEnded)
                .memoize().indefinitely();
        answer.subscribe().with(ignored -> {
        }, ignored -> {
        });
        return answer.ifNoItem().after(Duration.ofMillis(CHECK_TIMEOUT_MS))
                .failWith(() -> new TimeoutException("no answer to its check within " + CHECK_TIMEOUT_MS + " ms"))
                .invoke(rows -> {
                    Row row = rows.iterator().next();
                    boolean standby = Boolean.TRUE.equals(row.getBoolean("standby"));
                    String replayed = row.getString("replayed");
                    replica.checked(standby, lag.seconds(asOf, replayed == null ? null : ReplicaLag.parseLsn(replayed),
                            row.getDouble("replay_age")));
                })
                .onFailure().invoke(replica::down)
                .replaceWithVoid()
                .onFailure().recoverWithNull();
    }
}
