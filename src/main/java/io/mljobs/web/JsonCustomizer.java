package io.mljobs.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;
import java.time.Instant;

/**
 * Registers the service's own serializers after Quarkus' configuration has registered its modules
 * (the later a module, the earlier Jackson asks it), so they take precedence over java.time's.
 */
@Singleton
public class JsonCustomizer implements ObjectMapperCustomizer {

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.registerModule(new SimpleModule("mljobs").addSerializer(Instant.class, new InstantSerializer()));
    }

    @Override
    public int priority() {
        return MINIMUM_PRIORITY;
    }
}
