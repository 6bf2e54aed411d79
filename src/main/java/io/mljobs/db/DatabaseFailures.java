package io.mljobs.db;

import java.io.IOException;
import java.net.SocketException;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Set;

import io.vertx.core.VertxException;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;

/** Which failures mean "the database cannot take this now, retry" (a 503), whatever path raised them. */
public final class DatabaseFailures {

    private static final String READ_ONLY = "25006";

    /**
     * 57014 query_canceled (statement_timeout), 55P03 lock_not_available (lock_timeout), 25P03
     * idle_in_transaction_session_timeout, 53300 too_many_connections, 53xxx out of resources, 25006
     * read_only_sql_transaction (a write reached a server that is, or has become, a standby: a failover).
     */
    private static final Set<String> RETRYABLE_STATES = Set.of("57014", "55P03", "25P03", "53000", "53100", "53200",
            "53300", "53400", READ_ONLY);

    private DatabaseFailures() {
    }

    /** True for overload, timeouts, an unreachable or restarting server: the client should retry. */
    public static boolean isUnavailable(Throwable failure) {
        // Hibernate Reactive and CompletionStages wrap the driver's exception: look down the chain.
        for (Throwable e = failure; e != null; e = e.getCause() == e ? null : e.getCause()) {
            if (isUnavailableItself(e)) {
                return true;
            }
        }
        return false;
    }

    /**
     * True when the server could not be reached or the connection was lost: refused, reset or closed, class 08
     * (connection exceptions), or the server shutting down or starting (57P01-57P03). Not a timeout, a busy
     * pool or a conflict: those say nothing about whether the server is there.
     */
    public static boolean isConnectionLost(Throwable failure) {
        for (Throwable e = failure; e != null; e = e.getCause() == e ? null : e.getCause()) {
            if (e instanceof SocketException || e instanceof ClosedConnectionException || isDriverIo(e)) {
                return true;
            }
            String state = sqlState(e);
            if (state != null) {
                if (state.startsWith("08") || state.equals("57P01") || state.equals("57P02") || state.equals("57P03")) {
                    return true;
                }
                continue;
            }
            String message = String.valueOf(e.getMessage());
            // A connect timeout is Netty's ConnectTimeoutException, a SocketException.
            if ((e instanceof VertxException || e.getClass().getName().endsWith("NoStackTraceThrowable"))
                    && (message.contains("Connection refused") || message.contains("Connection was closed")
                            || message.contains("Pool closed") || message.contains("connection reset"))) {
                return true;
            }
        }
        return false;
    }

    /**
     * A failure that may mean the primary moved: the connection was lost, or a write was refused as read-only. Then
     * it is worth finding the primary again at once (PrimaryHosts), not only at its next check.
     */
    public static boolean mayBeFailover(Throwable failure) {
        if (isConnectionLost(failure)) {
            return true;
        }
        for (Throwable e = failure; e != null; e = e.getCause() == e ? null : e.getCause()) {
            if (READ_ONLY.equals(sqlState(e))) {
                return true;
            }
        }
        return false;
    }

    /** The SQLSTATE of a data exception (class 22) somewhere in the chain, or null: a value the client sent. */
    public static String dataExceptionState(Throwable failure) {
        for (Throwable e = failure; e != null; e = e.getCause() == e ? null : e.getCause()) {
            String state = sqlState(e);
            if (state != null && state.startsWith("22")) {
                return state;
            }
        }
        return null;
    }

    private static String sqlState(Throwable e) {
        return e instanceof PgException pg ? pg.getSqlState()
                // Hibernate Reactive converts the driver's exception into a JDBC-style one.
                : e instanceof SQLException sql ? sql.getSQLState() : null;
    }

    /**
     * A plain IOException ("Connection reset by peer") raised while the PostgreSQL driver wrote to its
     * socket: the server went away mid-request. Only the driver's own, so that a client's broken upload
     * is not mistaken for the database.
     */
    private static boolean isDriverIo(Throwable e) {
        return e instanceof IOException && Arrays.stream(e.getStackTrace())
                .anyMatch(frame -> frame.getClassName().startsWith("io.vertx.pgclient."));
    }

    private static boolean isUnavailableItself(Throwable e) {
        if (e instanceof DatabaseBusyException || e instanceof NoPrimaryException
                || e instanceof ConnectionPoolTooBusyException
                || e instanceof SocketException || e instanceof ClosedConnectionException || isDriverIo(e)) {
            return true;
        }
        String state = sqlState(e);
        if (state != null) {
            // Class 08: connection exceptions; 57P01-57P05: shutdown, crash recovery, idle session
            // timeout; class 40: a deadlock or serialization failure that outlasted Db's retries.
            return (state.startsWith("08") || state.startsWith("57P") || state.startsWith("40")
                    || RETRYABLE_STATES.contains(state));
        }
        String message = String.valueOf(e.getMessage());
        // Vert.x reports a refused or lost connection and an acquisition timeout as plain messages.
        return (e instanceof VertxException || e.getClass().getName().endsWith("NoStackTraceThrowable"))
                && (message.startsWith("Timeout") || message.contains("Connection refused")
                        || message.contains("Connection was closed") || message.contains("Pool closed")
                        || message.contains("connection reset"));
    }
}
