package io.mljobs.db;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.vertx.pgclient.PgException;

/** Which PostgreSQL errors tell the client to retry (503) rather than report a server fault (500). */
class DatabaseFailuresTest {

    @ParameterizedTest
    @CsvSource({
            "40P01, true", // deadlock victim
            "40001, true", // serialization failure
            "57P01, true", // admin shutdown
            "53300, true", // too many connections
            "57014, true", // statement_timeout
            "55P03, true", // lock_timeout
            "25P03, true", // idle_in_transaction_session_timeout
            "08006, true", // connection failure
            "25006, true", // read_only_sql_transaction: a write reached a standby (a failover)
            "23505, false", // unique violation: a bug to look at, not a reason to retry
            "42P01, false", // undefined table
    })
    void transientDatabaseErrorsAreUnavailableNotInternal(String sqlState, boolean unavailable) {
        assertEquals(unavailable, DatabaseFailures.isUnavailable(new PgException("m", "ERROR", sqlState, null)));
    }

    /** What takes a read replica out at once (its reads then run on the primary) and what only fails one read. */
    @ParameterizedTest
    @CsvSource({
            "57P01, true", // admin shutdown: the replica is stopping
            "57P03, true", // cannot connect now: starting or shutting down
            "08006, true", // connection failure
            "57014, false", // statement_timeout: slow, not gone
            "40001, false", // a conflict with recovery
            "53300, false", // too many connections: busy, not gone
    })
    void aLostConnectionIsToldApartFromABusyServer(String sqlState, boolean lost) {
        assertEquals(lost, DatabaseFailures.isConnectionLost(new PgException("m", "FATAL", sqlState, null)));
    }

    /** What makes the service look for the primary at once: a lost connection or a write refused as read-only. */
    @ParameterizedTest
    @CsvSource({
            "25006, true", // read_only_sql_transaction
            "57P01, true", // admin shutdown
            "08006, true", // connection failure
            "57014, false", // statement_timeout: slow, not moved
            "53300, false", // too many connections
    })
    void aReadOnlyRefusalOrALostConnectionMayBeAFailover(String sqlState, boolean failover) {
        assertEquals(failover, DatabaseFailures.mayBeFailover(new PgException("m", "ERROR", sqlState, null)));
    }

    @org.junit.jupiter.api.Test
    void aRefusedConnectionIsLostAndABusyAdmissionIsNot() {
        org.junit.jupiter.api.Assertions.assertTrue(DatabaseFailures.isConnectionLost(
                new java.net.ConnectException("Connection refused: /127.0.0.1:5433")));
        org.junit.jupiter.api.Assertions.assertTrue(DatabaseFailures.isConnectionLost(
                io.vertx.sqlclient.ClosedConnectionException.INSTANCE));
        org.junit.jupiter.api.Assertions.assertFalse(DatabaseFailures.isConnectionLost(
                new DatabaseBusyException("replica-1: 1024 requests already wait for a database connection")));
    }

    @org.junit.jupiter.api.Test
    void timeoutSeenThroughHibernateReactiveIsUnavailable() {
        var wrapped = new org.hibernate.exception.LockTimeoutException("insert failed",
                new java.sql.SQLException("canceling statement due to lock timeout", "55P03"), "insert into ml_jobs");
        org.junit.jupiter.api.Assertions.assertTrue(DatabaseFailures.isUnavailable(
                new java.util.concurrent.CompletionException(wrapped)));
    }

    @org.junit.jupiter.api.Test
    void socketResetWhileTheDriverWritesIsUnavailableButAnotherIoFailureIsNot() {
        // Seen in ReadinessTest: stopping PostgreSQL reset a connection during PgEncoder.flush, answered 500.
        java.io.IOException reset = new java.io.IOException("Connection reset by peer");
        reset.setStackTrace(new StackTraceElement[] {
                new StackTraceElement("sun.nio.ch.FileDispatcherImpl", "write0", null, -1),
                new StackTraceElement("io.vertx.pgclient.impl.codec.PgEncoder", "flush", null, 154) });
        org.junit.jupiter.api.Assertions.assertTrue(DatabaseFailures.isUnavailable(reset));

        java.io.IOException upload = new java.io.IOException("Connection reset by peer");
        upload.setStackTrace(new StackTraceElement[] {
                new StackTraceElement("io.vertx.core.http.impl.Http1xServerConnection", "handleMessage", null, 1) });
        org.junit.jupiter.api.Assertions.assertFalse(DatabaseFailures.isUnavailable(upload));
    }

    @ParameterizedTest
    @CsvSource({
            "22021, true", // character not in repertoire: a NUL byte
            "22008, true", // datetime field overflow
            "22003, true", // numeric value out of range
            "23505, false",
            "40001, false",
    })
    void dataExceptionsAreTheClientsValues(String sqlState, boolean data) {
        assertEquals(data, DatabaseFailures.dataExceptionState(new PgException("m", "ERROR", sqlState, null)) != null);
    }
}
