package io.mljobs.db;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.mljobs.config.MlJobsConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.mutiny.pgclient.PgConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;

/**
 * PostgreSQL LISTEN/NOTIFY for the whole replica on one connection of its own, outside the pools: it listens on
 * every channel a bean asked for, and sends this replica's notifications, so a notification from any replica
 * reaches every one. When the connection is lost (a database restart, a failover) it reconnects every
 * {@value #RECONNECT_MS} ms, listens again, and tells each listener it is subscribed again, because what was sent
 * meanwhile is lost: a listener must then re-check whatever it was waiting for.
 */
@ApplicationScoped
public class Notifications implements QueryOwner {

    private static final Logger LOG = Logger.getLogger(Notifications.class);
    private static final long RECONNECT_MS = 500;

    /** Runs on the listening connection: no pool, no admission, so it is never shed with the requests it serves. */
    static final NamedQuery NOTIFY = NamedQuery.of("notify", "SELECT pg_notify($1, $2)");

    private final Db db;
    private final Vertx vertx;
    private final PgSubscriber subscriber;
    private final AtomicBoolean started = new AtomicBoolean();
    private volatile boolean stopped;

    public Notifications(Db db, io.vertx.mutiny.core.Vertx vertx, MlJobsConfig config, MeterRegistry registry) {
        this.db = db;
        this.vertx = vertx.getDelegate();
        MlJobsConfig.Db settings = config.db();
        PgConnectOptions server = PgConnectOptions.fromUri(settings.url()).setUser(settings.user())
                .setPassword(settings.password().orElse("")).setCachePreparedStatements(true).setTcpKeepAlive(true);
        new SessionSettings("ml-jobs-listener", settings.statementTimeout(), settings.lockTimeout(),
                settings.idleInTransactionTimeout(), settings.connectTimeout()).applyTo(server);
        this.subscriber = PgSubscriber.subscriber(this.vertx, server)
                .reconnectPolicy(attempt -> stopped ? -1L : RECONNECT_MS);
        registry.find("mljobs.db.listener.connected").meters().forEach(registry::remove);
        Gauge.builder("mljobs.db.listener.connected", this, n -> n.connected() ? 1 : 0)
                .description("1 while the LISTEN connection is up, 0 while it reconnects").strongReference(true)
                .register(registry);
    }

    /**
     * Listens on a channel: {@code onPayload} gets each notification's payload, {@code onSubscribed} runs each time
     * the channel is (again) listened on, including the first. Both run on an event loop and must not block.
     */
    public void listen(String channel, Consumer<String> onPayload, Runnable onSubscribed) {
        subscriber.channel(channel)
                .subscribeHandler(ignored -> onSubscribed.run())
                .handler(onPayload::accept);
        if (started.compareAndSet(false, true)) {
            connect();
        }
    }

    /** Sends a notification, once, through the timed query path on the listening connection. */
    public Uni<Void> send(String channel, String payload) {
        return Uni.createFrom().deferred(() -> {
            io.vertx.pgclient.PgConnection connection = subscriber.actualConnection();
            if (connection == null) {
                return Uni.createFrom().failure(new IllegalStateException("not connected to PostgreSQL for NOTIFY"));
            }
            return db.query(PgConnection.newInstance(connection), NOTIFY, Tuple.of(channel, payload)).replaceWithVoid();
        });
    }

    /** Whether the listening connection is up; notifications sent while it is not are missed. */
    public boolean connected() {
        return subscriber.actualConnection() != null;
    }

    @Override
    public List<String> queryNames() {
        return QueryOwner.names(NOTIFY);
    }

    /** The first connection; the subscriber's reconnect policy takes over once it has been up. */
    private void connect() {
        if (stopped) {
            return;
        }
        subscriber.connect().onFailure(failure -> {
            LOG.debugf("LISTEN connection failed (%s); trying again in %d ms", failure.getMessage(), RECONNECT_MS);
            vertx.setTimer(RECONNECT_MS, id -> connect());
        });
    }

    void stop(@Observes ShutdownEvent event) {
        stopped = true;
        subscriber.close();
    }
}
