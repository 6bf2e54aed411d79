package io.mljobs.db;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.mljobs.config.MlJobsConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.mutiny.pgclient.PgConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;

/**
 * PostgreSQL LISTEN/NOTIFY for the whole replica on one connection of its own, outside the pools: it listens on
 * every channel a bean asked for, and sends this replica's notifications, so a notification from any replica
 * reaches every one. When the connection is lost (a database restart, a failover) it connects again every
 * {@value #RECONNECT_MS} ms, to the primary of the moment ({@link PrimaryHosts}: a subscriber's server is fixed, so
 * each connection has a subscriber of its own), listens again, and tells each listener it is subscribed again,
 * because what was sent meanwhile is lost: a listener must then re-check whatever it was waiting for.
 */
@ApplicationScoped
public class Notifications implements QueryOwner {

    private static final Logger LOG = Logger.getLogger(Notifications.class);
    private static final long RECONNECT_MS = 500;

    /** Runs on the listening connection: no pool, no admission, so it is never shed with the requests it serves. */
    static final NamedQuery NOTIFY = NamedQuery.of("notify", "SELECT pg_notify($1, $2)");

    private final Db db;
    private final Vertx vertx;
    private final Supplier<Future<PgConnectOptions>> primary;
    private final List<Listener> listeners = new ArrayList<>();
    private final AtomicBoolean started = new AtomicBoolean();
    private volatile PgSubscriber subscriber;
    private volatile boolean stopped;

    private record Listener(String channel, Consumer<String> onPayload, Runnable onSubscribed) {
    }

    public Notifications(Db db, io.vertx.mutiny.core.Vertx vertx, MlJobsConfig config, PrimaryHosts primaryHosts,
            MeterRegistry registry) {
        this.db = db;
        this.vertx = vertx.getDelegate();
        MlJobsConfig.Db settings = config.db();
        SessionSettings session = new SessionSettings("ml-jobs-listener", settings.statementTimeout(),
                settings.lockTimeout(), settings.idleInTransactionTimeout(), settings.connectTimeout());
        this.primary = primaryHosts.follow(primaryHosts.perHost(new PgConnectOptions().setUser(settings.user())
                .setPassword(settings.password().orElse("")).setCachePreparedStatements(true).setTcpKeepAlive(true))
                .stream().map(session::applyTo).toList());
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
        Listener listener = new Listener(channel, onPayload, onSubscribed);
        synchronized (this) {
            listeners.add(listener);
            if (subscriber != null) {
                register(subscriber, listener);
            }
        }
        if (started.compareAndSet(false, true)) {
            connect();
        }
    }

    /** Sends a notification, once, through the timed query path on the listening connection. */
    public Uni<Void> send(String channel, String payload) {
        return Uni.createFrom().deferred(() -> {
            PgSubscriber current = subscriber;
            io.vertx.pgclient.PgConnection connection = current == null ? null : current.actualConnection();
            if (connection == null) {
                return Uni.createFrom().failure(new IllegalStateException("not connected to PostgreSQL for NOTIFY"));
            }
            return db.query(PgConnection.newInstance(connection), NOTIFY, Tuple.of(channel, payload)).replaceWithVoid();
        });
    }

    /** Whether the listening connection is up; notifications sent while it is not are missed. */
    public boolean connected() {
        PgSubscriber current = subscriber;
        return current != null && current.actualConnection() != null;
    }

    @Override
    public List<String> queryNames() {
        return QueryOwner.names(NOTIFY);
    }

    /**
     * A subscriber for the primary of the moment, with every listener, connected; when its connection is lost (it
     * does not reconnect by itself) or cannot be made, the next one {@value #RECONNECT_MS} ms later.
     */
    private void connect() {
        if (stopped) {
            return;
        }
        primary.get().onComplete(server -> {
            if (server.failed()) {
                retry(server.cause());
                return;
            }
            PgSubscriber next = PgSubscriber.subscriber(vertx, server.result()).reconnectPolicy(attempt -> -1L);
            synchronized (this) {
                if (stopped) {
                    return;
                }
                listeners.forEach(listener -> register(next, listener));
                subscriber = next;
            }
            next.closeHandler(ignored -> {
                if (!stopped) {
                    LOG.debugf("LISTEN connection lost; connecting again in %d ms", RECONNECT_MS);
                    vertx.setTimer(RECONNECT_MS, id -> connect());
                }
            });
            next.connect().onFailure(failure -> {
                next.close();
                retry(failure);
            });
        });
    }

    private void retry(Throwable failure) {
        LOG.debugf("LISTEN connection failed (%s); trying again in %d ms", failure.getMessage(), RECONNECT_MS);
        vertx.setTimer(RECONNECT_MS, id -> connect());
    }

    private static void register(PgSubscriber subscriber, Listener listener) {
        subscriber.channel(listener.channel())
                .subscribeHandler(ignored -> listener.onSubscribed().run())
                .handler(listener.onPayload()::accept);
    }

    void stop(@Observes ShutdownEvent event) {
        PgSubscriber current;
        synchronized (this) {
            stopped = true;
            current = subscriber;
        }
        if (current != null) {
            current.close();
        }
    }
}
