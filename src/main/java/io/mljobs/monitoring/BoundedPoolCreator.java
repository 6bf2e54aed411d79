package io.mljobs.monitoring;

import io.quarkus.reactive.pg.client.PgPoolCreator;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlConnectOptions;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The reactive pool as Quarkus configures it, plus the two bounds Quarkus has no property for: how
 * many requests may wait for a connection, and for how long. Past either, the request fails at
 * once with a 503 and Retry-After instead of queueing without limit behind a saturated database.
 */
@Singleton
public class BoundedPoolCreator implements PgPoolCreator {

    private final int maxWaitQueueSize;
    private final Duration connectionTimeout;

    public BoundedPoolCreator(@ConfigProperty(name = "mljobs.db.pool.max-wait-queue-size") int maxWaitQueueSize,
            @ConfigProperty(name = "mljobs.db.pool.connection-timeout") Duration connectionTimeout) {
        this.maxWaitQueueSize = maxWaitQueueSize;
        this.connectionTimeout = connectionTimeout;
    }

    @Override
    public Pool create(Input input) {
        PoolOptions options = new PoolOptions(input.poolOptions())
                .setMaxWaitQueueSize(maxWaitQueueSize)
                .setConnectionTimeout((int) connectionTimeout.toMillis())
                .setConnectionTimeoutUnit(TimeUnit.MILLISECONDS);
        return PgBuilder.pool()
                .with(options)
                .connectingTo(List.<SqlConnectOptions>copyOf(input.pgConnectOptionsList()))
                .using(input.vertx())
                .build();
    }
}
