package io.mljobs.migration;

import jakarta.inject.Singleton;

import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.database.postgresql.PostgreSQLConfigurationExtension;

import io.quarkus.flyway.FlywayConfigurationCustomizer;

/**
 * Makes Flyway hold its PostgreSQL advisory lock at session level instead of inside an open
 * transaction. With the transactional lock, a CREATE INDEX CONCURRENTLY migration waits for that
 * transaction to end, which it never does: startup hangs for good. Quarkus has no property for it.
 */
@Singleton
public class NonTransactionalLockCustomizer implements FlywayConfigurationCustomizer {

    @Override
    public void customize(FluentConfiguration configuration) {
        configuration.getPluginRegister()
                .getExact(PostgreSQLConfigurationExtension.class)
                .setTransactionalLock(false);
    }
}
