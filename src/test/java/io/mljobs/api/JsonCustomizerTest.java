package io.mljobs.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.time.Instant;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.mljobs.testing.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** The mapper the REST layer writes with uses the service's Instant serializer, not java.time's. */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
class JsonCustomizerTest {

    @Inject
    ObjectMapper mapper;

    @Test
    void instantsAreWrittenByTheServicesSerializer() throws Exception {
        assertInstanceOf(InstantSerializer.class,
                mapper.getSerializerProviderInstance().findValueSerializer(Instant.class));
        assertEquals("\"2026-11-27T07:55:13.738585Z\"",
                mapper.writeValueAsString(Instant.parse("2026-11-27T07:55:13.738585Z")));
    }
}
