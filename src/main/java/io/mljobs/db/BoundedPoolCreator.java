package io.mljobs.db;

import java.util.List;

import jakarta.inject.Singleton;

import io.mljobs.config.MlJobsConfig;
import io.quarkus.reactive.pg.client.PgPoolCreator;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlConnectOptions;

/**
 * The API pool as Quarkus configures it, with the API's session timeouts, and without the pool's
 * own acquisition timeout or wait-queue bound: those lose connections in Vert.x 4.5 (see
 * {@link Admission}), which bounds the waiting instead. Its connections go to the primary among the hosts of
 * {@code mljobs.db.url} ({@link PrimaryHosts}); Quarkus' own reactive URL only lends the settings Quarkus made.
 */
@Singleton
public class BoundedPoolCreator implements PgPoolCreator {

    private final SessionSettings session;
    private final PrimaryHosts primaryHosts;

    public BoundedPoolCreator(MlJobsConfig config, PrimaryHosts primaryHosts) {
        this.primaryHosts = primaryHosts;
        MlJobsConfig.Db db = config.db();
        this.session = new SessionSettings("ml-jobs", db.statementTimeout(), db.lockTimeout(),
                db.idleInTransactionTimeout(), db.connectTimeout());
    }

    @Override
    public Pool create(Input input) {
        // Named, like the background pool: both would otherwise be "__vertx.DEFAULT", and Micrometer keeps the
        // sql_pool_* meters of whichever registered first.
        PoolOptions options = unbounded(new PoolOptions(input.poolOptions())).setName(Workload.API.poolName());
        // Quarkus reads its URL as a list and would split a multi-host URL at its commas: the hosts come from
        // mljobs.db.url, everything else (user, pipelining, TLS, metrics name) from what Quarkus made of its URL.
        List<SqlConnectOptions> servers = primaryHosts.perHost(input.pgConnectOptionsList().get(0)).stream()
                .map(server -> (SqlConnectOptions) session.applyTo(server))
                .toList();
        return PgBuilder.pool().with(options).connectingTo(primaryHosts.follow(servers)).using(input.vertx()).build();
    }

    /** No acquisition timer and no queue bound in the pool itself: Admission does both. */
    static PoolOptions unbounded(PoolOptions options) {
        return options.setMaxWaitQueueSize(-1).setConnectionTimeout(0);
    }
}
