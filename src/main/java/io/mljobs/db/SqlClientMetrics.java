package io.mljobs.db;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.micrometer.core.instrument.config.MeterFilter;

/**
 * Keeps one set of pool metrics: the pools' own ({@code sql_pool_*}, tag pool_name), beside the admission in front
 * of them ({@code mljobs_db_pool_*}). Quarkus gives every reactive PostgreSQL connection the metrics name
 * "postgresql|&lt;datasource&gt;", so Micrometer's Vert.x binder also timed each statement per connection as
 * {@code postgresql_*}, with camelCase labels (clientName, clientType) and its gauge registered again for every new
 * connection. Db times every statement by name already; no property turns those off alone (the Vert.x binder also
 * makes the HTTP server and pool metrics), so they are denied here by their clientType tag.
 */
public class SqlClientMetrics {

    @Produces
    @Singleton
    MeterFilter denySqlClientMetrics() {
        return MeterFilter.deny(id -> "sql".equals(id.getTag("clientType")));
    }
}
