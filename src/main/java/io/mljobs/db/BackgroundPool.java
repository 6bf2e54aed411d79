package io.mljobs.db;

import java.util.List;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;

import io.mljobs.config.MlJobsConfig;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlConnectOptions;

/**
 * The pool of scheduled and admin work (archival, compaction, lease reaping, table gauges,
 * db-health, explain): a few connections of its own, to the same server as the API pool (the primary, which
 * {@link PrimaryHosts} finds), with timeouts long enough for an archival batch or an ANALYZE.
 */
@Singleton
public class BackgroundPool {

    private final Pool pool;
    private final int size;

    public BackgroundPool(Vertx vertx, MlJobsConfig config, PrimaryHosts primaryHosts) {
        MlJobsConfig.Db db = config.db();
        int size = db.background().poolSize();
        SessionSettings session = new SessionSettings("ml-jobs-background", db.background().statementTimeout(),
                db.background().lockTimeout(), db.idleInTransactionTimeout(), db.connectTimeout());
        List<SqlConnectOptions> servers = primaryHosts.perHost(new PgConnectOptions().setUser(db.user())
                .setPassword(db.password().orElse("")).setCachePreparedStatements(true)).stream()
                .map(server -> (SqlConnectOptions) session.applyTo(server)).toList();
        PoolOptions options = BoundedPoolCreator.unbounded(new PoolOptions().setName(Workload.BACKGROUND.poolName())
                .setMaxSize(size).setIdleTimeout(5).setIdleTimeoutUnit(TimeUnit.MINUTES));
        this.pool = Pool.newInstance(PgBuilder.pool().with(options).connectingTo(primaryHosts.follow(servers))
                .using(vertx.getDelegate()).build());
        this.size = size;
    }

    public Pool pool() {
        return pool;
    }

    public int size() {
        return size;
    }

    @PreDestroy
    void close() {
        pool.closeAndForget();
    }
}
