package io.mljobs.db;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.PoolOptions;

/**
 * The pool of scheduled and admin work (archival, compaction, lease reaping, table gauges,
 * db-health, explain): a few connections of its own, to the same server as the API pool, with
 * timeouts long enough for an archival batch or an ANALYZE.
 */
@Singleton
public class BackgroundPool {

    private final Pool pool;
    private final int size;

    public BackgroundPool(Vertx vertx, @ConfigProperty(name = "mljobs.db.url") String url,
            @ConfigProperty(name = "quarkus.datasource.username") String user,
            @ConfigProperty(name = "quarkus.datasource.password") Optional<String> password,
            @ConfigProperty(name = "mljobs.db.background.pool-size") int size,
            @ConfigProperty(name = "mljobs.db.background.statement-timeout") Duration statementTimeout,
            @ConfigProperty(name = "mljobs.db.background.lock-timeout") Duration lockTimeout,
            @ConfigProperty(name = "mljobs.db.idle-in-transaction-timeout") Duration idleInTransactionTimeout,
            @ConfigProperty(name = "mljobs.db.connect-timeout") Duration connectTimeout) {
        PgConnectOptions server = PgConnectOptions.fromUri(url).setUser(user).setPassword(password.orElse(""))
                .setCachePreparedStatements(true);
        new SessionSettings("ml-jobs-background", statementTimeout, lockTimeout, idleInTransactionTimeout,
                connectTimeout).applyTo(server);
        PoolOptions options = BoundedPoolCreator.unbounded(new PoolOptions().setMaxSize(size)
                .setIdleTimeout(5).setIdleTimeoutUnit(TimeUnit.MINUTES));
        this.pool = Pool.newInstance(PgBuilder.pool().with(options).connectingTo(server).using(vertx.getDelegate())
                .build());
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
