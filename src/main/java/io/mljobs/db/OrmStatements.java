package io.mljobs.db;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Pattern;

import io.smallrye.common.vertx.VertxContext;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * The SQL that Hibernate Reactive sends during a unit of work, so that {@link Db} logs an ORM statement with its
 * SQL as it does a {@link NamedQuery}.
 *
 * <p>
 * Hibernate Reactive (3.2) calls no {@code StatementInspector}: in Hibernate ORM only the preparation of a JDBC
 * statement calls one, and Hibernate Reactive prepares none (an inspector registered with
 * {@code @PersistenceUnitExtension} saw nothing of {@code POST /jobs}). What it does for every statement, just
 * before handing it to the Vert.x client, is pass the very string it sends ({@code $n} placeholders, RETURNING
 * clause and all) to Hibernate's statement log, category {@value #CATEGORY} at DEBUG, on the Vert.x context of its
 * session, which Panache keeps as the caller's. This handler keeps those strings in that context's locals while
 * {@link #record} has a unit of work open there.
 *
 * <p>
 * The category is set to DEBUG for it. Unless it was configured at DEBUG already (to read the SQL on the console),
 * its records reach this handler alone, so that the console does not print every submitted job.
 */
final class OrmStatements extends Handler {

    static final String CATEGORY = "org.hibernate.SQL";

    private static final Object KEY = new Object();
    /** A unit of work sends a statement or two; a runaway one is not worth more than this in a log line. */
    private static final int MAX_KEPT = 8;
    /** Hibernate's highlighting (hibernate.highlight_sql) colours keywords; a log line wants the SQL alone. */
    private static final Pattern ANSI_COLOUR = Pattern.compile("\u001B\\[[;\\d]*m");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    private final Logger logger = Logger.getLogger(CATEGORY);
    private final Level configuredLevel = logger.getLevel();
    private final boolean configuredUseParents = logger.getUseParentHandlers();

    OrmStatements() {
        setLevel(Level.ALL);
        if (!logger.isLoggable(Level.FINE)) {
            logger.setUseParentHandlers(false);
            logger.setLevel(Level.FINE);
        }
        logger.addHandler(this);
    }

    /** Takes the handler off the category and puts the category back as it was configured. */
    @Override
    public void close() {
        logger.removeHandler(this);
        logger.setLevel(configuredLevel);
        logger.setUseParentHandlers(configuredUseParents);
    }

    /**
     * Opens a unit of work on the current Vert.x context: the statements Hibernate Reactive sends there until
     * {@link Sent#close} are kept in it. Outside a duplicated context (where Panache refuses to run) nothing is kept.
     */
    Sent record() {
        Context context = Vertx.currentContext();
        Sent sent = new Sent(context != null && VertxContext.isDuplicatedContext(context) ? context : null);
        if (sent.context != null) {
            sent.context.putLocal(KEY, sent);
        }
        return sent;
    }

    @Override
    public void publish(LogRecord record) {
        Context context = Vertx.currentContext();
        if (context != null && context.getLocal(KEY) instanceof Sent sent && record.getMessage() != null) {
            sent.add(record.getMessage());
        }
    }

    @Override
    public void flush() {
    }

    /** The statements of one unit of work, as Hibernate Reactive sent them. */
    static final class Sent {

        private final Context context;
        private final List<String> statements = new ArrayList<>(1);

        private Sent(Context context) {
            this.context = context;
        }

        private synchronized void add(String sql) {
            if (statements.size() < MAX_KEPT) {
                statements.add(WHITESPACE.matcher(ANSI_COLOUR.matcher(sql).replaceAll("")).replaceAll(" ").strip());
            }
        }

        /** The statements on one line, separated by "; ", for logs. */
        synchronized String oneLine() {
            if (statements.isEmpty()) {
                return context == null ? "(SQL not recorded: no Vert.x duplicated context)" : "(no statement sent)";
            }
            return String.join("; ", statements);
        }

        /** Ends the unit of work: statements sent on the context afterwards are no longer kept. */
        void close() {
            if (context != null && context.getLocal(KEY) == this) {
                context.removeLocal(KEY);
            }
        }
    }
}
