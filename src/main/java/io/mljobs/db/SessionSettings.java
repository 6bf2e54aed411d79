package io.mljobs.db;

import java.time.Duration;

import io.vertx.pgclient.PgConnectOptions;

/**
 * Timeouts (and JIT off) every session of a pool starts with, sent as run-time parameters in PostgreSQL's
 * start-up message: no statement runs, waits for a lock or idles in a transaction without bound,
 * and no extra round trip is spent setting them.
 */
public record SessionSettings(String applicationName, Duration statementTimeout, Duration lockTimeout,
        Duration idleInTransactionTimeout, Duration connectTimeout) {

    public PgConnectOptions applyTo(PgConnectOptions options) {
        return options.addProperty("application_name", applicationName)
                .addProperty("statement_timeout", Long.toString(statementTimeout.toMillis()))
                .addProperty("lock_timeout", Long.toString(lockTimeout.toMillis()))
                .addProperty("idle_in_transaction_session_timeout", Long.toString(idleInTransactionTimeout.toMillis()))
                // The planner's cost of a generic plan grows with the table, and past jit_above_cost every call
                // of it compiles: /jobs/stats took 120-600 ms instead of 0.2 ms at 10M rows. Short statements
                // never win back what compiling costs.
                .addProperty("jit", "off")
                .setConnectTimeout((int) connectTimeout.toMillis());
    }
}
