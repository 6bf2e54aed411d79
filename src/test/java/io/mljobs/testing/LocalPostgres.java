package io.mljobs.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL cluster from the machine's own binaries: initdb into a fresh folder, then
 * pg_ctl start on a free loopback port with durability off (nothing here needs to survive a crash).
 * PostgreSQL refuses to run as root, so as root both run as the {@code postgres} user.
 *
 * <p>
 * Depends on the JDK only, so that {@code main} also serves {@code scripts/run-dev}:
 * {@code java -cp target/test-classes io.mljobs.testing.LocalPostgres start DIR DATABASE | stop DIR}.
 */
public final class LocalPostgres {

    private static final String SUPERUSER = "postgres";
    private static final boolean AS_ROOT = "root".equals(System.getProperty("user.name"));

    private final Path dataDir;
    private final Path binDir;
    private final int port;

    private LocalPostgres(Path dataDir, Path binDir, int port) {
        this.dataDir = dataDir;
        this.binDir = binDir;
        this.port = port;
    }

    /** Initialises a new cluster in {@code dataDir} (which must not hold one yet) and starts it. */
    public static LocalPostgres start(Path dataDir) {
        LocalPostgres pg = init(dataDir);
        pg.startServer();
        return pg;
    }

    /**
     * Initialises and starts a cluster that streaming standbys can be made from ({@link #startStandby}): WAL for
     * replication, senders for it, and replication connections from 127.0.0.1 trusted. {@code settings} (such as
     * {@code shared_preload_libraries=pg_stat_statements}) go into its postgresql.conf, which standbys copy, so
     * they hold on every start of either.
     */
    public static LocalPostgres startPrimary(Path dataDir, String... settings) {
        LocalPostgres pg = init(dataDir);
        List<String> conf = new ArrayList<>(List.of("wal_level = replica", "max_wal_senders = 5",
                "max_replication_slots = 5", "hot_standby = on"));
        conf.addAll(List.of(settings));
        try {
            Files.writeString(dataDir.resolve("postgresql.conf"), "\n# LocalPostgres.startPrimary\n"
                    + String.join("\n", conf) + "\n", StandardOpenOption.APPEND);
            Path hba = dataDir.resolve("pg_hba.conf");
            String replication = "host replication all 127.0.0.1/32 trust";
            if (Files.readAllLines(hba).stream().noneMatch(line -> line.trim().replaceAll("\\s+", " ")
                    .equals(replication))) {
                Files.writeString(hba, replication + "\n", StandardOpenOption.APPEND);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        pg.startServer();
        return pg;
    }

    /**
     * A streaming hot standby of this (running) cluster in {@code standbyDir}, which must not exist or be empty:
     * {@code pg_basebackup -R -X stream} through a replication slot of its own (the primary keeps the WAL the
     * standby has not received, also while it is stopped), started on a free port of its own.
     */
    public LocalPostgres startStandby(Path standbyDir) {
        try {
            Files.createDirectories(standbyDir);
            if (AS_ROOT) {
                run(List.of("chown", SUPERUSER + ":", standbyDir.toString()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int standbyPort = freePort();
        runAsSuperuser(List.of(binDir.resolve("pg_basebackup").toString(), "-h", "127.0.0.1", "-p",
                Integer.toString(port), "-U", SUPERUSER, "-D", standbyDir.toString(), "-R", "-X", "stream",
                "-C", "-S", "standby_" + standbyPort, "-c", "fast", "--no-sync"));
        try {
            // The primary's log, copied with the rest; the standby writes its own there.
            Files.deleteIfExists(standbyDir.resolve("server.log"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        LocalPostgres standby = new LocalPostgres(standbyDir, binDir, standbyPort);
        standby.startServer();
        return standby;
    }

    private static LocalPostgres init(Path dataDir) {
        Path bin = findBinaries();
        int port = freePort();
        try {
            Files.createDirectories(dataDir);
            if (AS_ROOT) {
                run(List.of("chown", SUPERUSER + ":", dataDir.toString()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        LocalPostgres pg = new LocalPostgres(dataDir, bin, port);
        pg.runAsSuperuser(List.of(bin.resolve("initdb").toString(), "-D", dataDir.toString(), "-U", SUPERUSER,
                "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync"));
        return pg;
    }

    /** A handle on a cluster another part of the test run started. */
    public static LocalPostgres attach(Path dataDir, int port) {
        return new LocalPostgres(dataDir, findBinaries(), port);
    }

    /** Starts (again) the server of this cluster, on its port. */
    public void startServer() {
        runAsSuperuser(List.of(binDir.resolve("pg_ctl").toString(), "-D", dataDir.toString(),
                "-l", dataDir.resolve("server.log").toString(), "-w", "-t", "60", "-o",
                String.join(" ", "-p", Integer.toString(port), "-c", "listen_addresses=127.0.0.1",
                        "-k", dataDir.toString(), "-c", "fsync=off", "-c", "synchronous_commit=off",
                        "-c", "full_page_writes=off", "-c", "max_connections=200",
                        // Room for benchmark tables of millions of rows without checkpoint storms.
                        "-c", "shared_buffers=256MB", "-c", "max_wal_size=4GB"),
                "start"));
    }

    /** Promotes this standby to a primary ({@code pg_ctl promote}), returning once it accepts writes. */
    public void promote() {
        runAsSuperuser(List.of(binDir.resolve("pg_ctl").toString(), "-D", dataDir.toString(), "-w", "-t", "60",
                "promote"));
    }

    /** Stops the server (fast shutdown: sessions are ended, as when a database goes away). */
    public void stopServer() {
        runAsSuperuser(List.of(binDir.resolve("pg_ctl").toString(), "-D", dataDir.toString(), "-m", "fast", "-w",
                "stop"));
    }

    /**
     * Suspends every process of the running server (SIGSTOP), as a host that stops answering without closing its
     * connections: the postmaster first, so that it forks no more. {@link #thaw} resumes them.
     */
    public void freeze() {
        signalServer("-STOP");
    }

    public void thaw() {
        signalServer("-CONT");
    }

    private void signalServer(String signal) {
        try {
            long postmaster = Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim());
            List<String> command = new ArrayList<>(List.of("kill", signal, Long.toString(postmaster)));
            ProcessHandle.of(postmaster).orElseThrow().descendants()
                    .forEach(process -> command.add(Long.toString(process.pid())));
            run(command);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Stops the cluster in {@code dataDir} at once; its folder is left for the caller. */
    public static void stop(Path dataDir) {
        if (Files.exists(dataDir.resolve("postmaster.pid"))) {
            new LocalPostgres(dataDir, findBinaries(), 0).runAsSuperuser(List.of(
                    findBinaries().resolve("pg_ctl").toString(), "-D", dataDir.toString(), "-m", "immediate",
                    "-w", "stop"));
        }
    }

    public void stopAndDelete() {
        stop(dataDir);
        try (Stream<Path> paths = Files.walk(dataDir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // A leftover folder in the temp directory is harmless.
        }
    }

    public void createDatabase(String name) {
        run(List.of(binDir.resolve("createdb").toString(), "-h", "127.0.0.1", "-p", Integer.toString(port),
                "-U", SUPERUSER, name));
    }

    public int port() {
        return port;
    }

    public String user() {
        return SUPERUSER;
    }

    /** A reactive-client URL for a database of this cluster. */
    public String url(String database) {
        return "postgresql://127.0.0.1:" + port + "/" + database;
    }

    public static boolean binariesInstalled() {
        try {
            findBinaries();
            return true;
        } catch (IllegalStateException e) {
            return false;
        }
    }

    /** The highest installed PostgreSQL's bin folder; MLJOBS_PG_BIN names another. */
    static Path findBinaries() {
        String configured = System.getenv("MLJOBS_PG_BIN");
        if (configured != null && !configured.isBlank()) {
            return Paths.get(configured);
        }
        Path debian = Paths.get("/usr/lib/postgresql");
        if (Files.isDirectory(debian)) {
            try (Stream<Path> versions = Files.list(debian)) {
                var newest = versions.filter(v -> Files.isExecutable(v.resolve("bin/initdb")))
                        .max(Comparator.comparingInt(v -> parseVersion(v.getFileName().toString())));
                if (newest.isPresent()) {
                    return newest.get().resolve("bin");
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Paths.get(dir, "initdb"))) {
                return Paths.get(dir);
            }
        }
        throw new IllegalStateException("No PostgreSQL server binaries (initdb, pg_ctl) found. Install them "
                + "(Debian: apt-get install postgresql), set MLJOBS_PG_BIN to their folder, or set "
                + "MLJOBS_TEST_DB_URL to a server the tests may create databases on.");
    }

    private static int parseVersion(String name) {
        try {
            return Integer.parseInt(name);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void runAsSuperuser(List<String> command) {
        List<String> full = new ArrayList<>();
        if (AS_ROOT) {
            full.addAll(List.of("runuser", "-u", SUPERUSER, "--"));
        }
        full.addAll(command);
        run(full);
    }

    private static void run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes());
            if (process.waitFor() != 0) {
                throw new IllegalStateException("command failed: " + String.join(" ", command) + "\n" + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** {@code start DIR DATABASE}: prints the port; {@code stop DIR}: stops the cluster there. */
    public static void main(String[] args) {
        boolean start = args.length == 3 && args[0].equals("start");
        if (!start && !(args.length == 2 && args[0].equals("stop"))) {
            System.err.println("usage: LocalPostgres start DIR DATABASE | stop DIR");
            System.exit(2);
        }
        Path dir = Paths.get(args[1]).toAbsolutePath();
        if (start) {
            LocalPostgres pg = start(dir);
            pg.createDatabase(args[2]);
            System.out.println(pg.port());
        } else {
            stop(dir);
        }
    }
}
