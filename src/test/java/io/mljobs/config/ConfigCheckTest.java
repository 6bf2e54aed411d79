package io.mljobs.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.runtime.configuration.MemorySizeConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

/** application.properties as shipped passes; a value that cannot work, or a key set apart, is named. */
class ConfigCheckTest {

    @Test
    void shippedValuesPass() throws IOException {
        SmallRyeConfig config = config(Map.of());
        MlJobsConfig mljobs = config.getConfigMapping(MlJobsConfig.class);
        assertEquals(List.of(), ConfigCheck.refusals(mljobs));
        assertEquals(List.of(), ConfigCheck.setApart(mljobs, config));
    }

    @Test
    void anEmptyPoolIsRefusedByName() throws IOException {
        MlJobsConfig mljobs = config(Map.of("mljobs.db.background.pool-size", "0", "mljobs.archive.batch-size", "-1"))
                .getConfigMapping(MlJobsConfig.class);
        assertEquals(
                List.of("mljobs.db.background.pool-size is 0, less than 1", "mljobs.archive.batch-size is -1, less than 1"),
                ConfigCheck.refusals(mljobs));
    }

    @Test
    void replicaValuesThatCannotWorkAreRefusedByNameWithoutAPassword() throws IOException {
        MlJobsConfig mljobs = config(Map.of("mljobs.db.replica.urls",
                "postgresql://reader:s3cret@standby-1:5432/mljobs, mysql://standby-2/mljobs,"
                        + "postgresql://standby-3:5432, postgresql://127.0.0.1:5432/mljobs,"
                        + " postgresql://reader:s3cret@standby-1:5432/mljobs",
                "mljobs.db.replica.max-lag", "PT0S", "mljobs.db.replica.pool-size", "0"))
                .getConfigMapping(MlJobsConfig.class);
        List<String> refused = ConfigCheck.refusals(mljobs);
        String key = "mljobs.db.replica.urls (MLJOBS_DB_REPLICA_URLS): ";
        assertEquals(List.of("mljobs.db.replica.pool-size is 0, less than 1", "mljobs.db.replica.max-lag is PT0S, not positive",
                key + "'mysql://standby-2/mljobs' is not a postgresql:// URL",
                key + "'postgresql://standby-3:5432' names no database (postgresql://host:port/database)",
                key + "'postgresql://127.0.0.1:5432/mljobs' is the primary (mljobs.db.url)",
                key + "'postgresql://reader:***@standby-1:5432/mljobs' is listed twice"), refused);
        assertFalse(refused.toString().contains("s3cret"), "a password is never shown");
    }

    @Test
    void noReplicaByDefaultAndTheApiPoolSizeForEach() throws IOException {
        MlJobsConfig mljobs = config(Map.of()).getConfigMapping(MlJobsConfig.class);
        assertEquals(List.of(), DatabaseUrls.replicas(mljobs));
        assertEquals(mljobs.db().pool().maxSize(), mljobs.db().replica().poolSize());
        MlJobsConfig sized = config(Map.of("mljobs.db.pool.max-size", "12", "mljobs.db.replica.urls",
                "postgresql://a:5432/db,postgresql://b/db")).getConfigMapping(MlJobsConfig.class);
        assertEquals(12, sized.db().replica().poolSize());
        assertEquals(List.of("postgresql://a:5432/db", "postgresql://b/db"), DatabaseUrls.replicas(sized));
        assertEquals(List.of(), ConfigCheck.refusals(sized));
    }

    @Test
    void aUrlIsShownWithoutItsPassword() {
        assertEquals("postgresql://reader:***@host:5432/db", DatabaseUrls.withoutPassword(
                "postgresql://reader:pw@host:5432/db?sslmode=require&password=pw"));
        assertEquals("postgresql://reader@host/db", DatabaseUrls.withoutPassword("postgresql://reader@host/db"));
        assertEquals("postgresql://host:5432/db", DatabaseUrls.withoutPassword("postgresql://host:5432/db"));
        assertTrue(DatabaseUrls.hasUser("postgresql://reader@host/db"));
        assertFalse(DatabaseUrls.hasUser("postgresql://host/db"));
    }

    @Test
    void aMultiHostUrlIsSplitIntoOneUrlPerHost() {
        assertEquals(List.of("postgresql://app:pw@db-0.db:5432/mljobs?sslmode=require",
                "postgresql://app:pw@db-1.db:5433/mljobs?sslmode=require", "postgresql://app:pw@[::1]/mljobs?sslmode=require"),
                DatabaseUrls.hosts("postgresql://app:pw@db-0.db:5432, db-1.db:5433,[::1]/mljobs?sslmode=require"));
        assertEquals(List.of("postgresql://h:5432/mljobs"), DatabaseUrls.hosts("postgresql://h:5432/mljobs"));
        assertEquals("postgresql://app:***@a:1,b:2/db", DatabaseUrls.withoutPassword("postgresql://app:pw@a:1,b:2/db"));
    }

    @Test
    void aMultiHostPrimaryUrlPassesAndABrokenOneIsRefusedWithoutItsPassword() throws IOException {
        MlJobsConfig good = config(Map.of("mljobs.db.url", "postgresql://a:5432,b:5432/mljobs",
                // A standby among the primary's hosts may serve reads until it is promoted.
                "mljobs.db.replica.urls", "postgresql://b:5432/mljobs")).getConfigMapping(MlJobsConfig.class);
        assertEquals(List.of(), ConfigCheck.refusals(good));
        MlJobsConfig bad = config(Map.of("mljobs.db.url", "postgresql://app:s3cret@a:5432,/mljobs",
                "mljobs.db.failover.check-every", "PT0S")).getConfigMapping(MlJobsConfig.class);
        List<String> refused = ConfigCheck.refusals(bad);
        assertEquals(2, refused.size(), refused.toString());
        assertEquals("mljobs.db.failover.check-every is PT0S, not positive", refused.get(0));
        // The empty second host: "names no host" or "is not a URL", by how java.net.URI reads it.
        assertTrue(refused.get(1).startsWith("mljobs.db.url (MLJOBS_DB_URL): 'postgresql://app:***@a:5432,/mljobs': "
                + "'postgresql://app:***@/mljobs' "), refused.get(1));
        assertFalse(refused.toString().contains("s3cret"), "a password is never shown");
    }

    @Test
    void aQuarkusKeySetApartFromItsMljobsKeyIsRefused() throws IOException {
        SmallRyeConfig config = config(Map.of("quarkus.datasource.reactive.max-size", "16",
                "quarkus.datasource.password", "other"));
        List<String> refused = ConfigCheck.setApart(config.getConfigMapping(MlJobsConfig.class), config);
        assertEquals(2, refused.size(), refused.toString());
        assertTrue(refused.get(0).startsWith("quarkus.datasource.reactive.max-size is set apart"), refused.get(0));
        assertTrue(refused.get(1).startsWith("quarkus.datasource.password is set apart"), refused.get(1));
        assertFalse(refused.toString().contains("other"), "a password is never shown");
    }

    private static SmallRyeConfig config(Map<String, String> overrides) throws IOException {
        return new SmallRyeConfigBuilder().addDefaultInterceptors()
                .withSources(new PropertiesConfigSource(
                        Path.of("src/main/resources/application.properties").toUri().toURL(), 100))
                .withSources(new PropertiesConfigSource(overrides, "overrides", 200))
                .withConverter(Duration.class, 200, new DurationConverter())
                .withConverter(MemorySize.class, 200, new MemorySizeConverter())
                .withMapping(MlJobsConfig.class).build();
    }
}
