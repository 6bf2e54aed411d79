package io.mljobs.api;

import java.time.Instant;

import jakarta.inject.Singleton;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.LogicalType;

import io.quarkus.jackson.ObjectMapperCustomizer;

/**
 * Registers the service's own serializers after Quarkus' configuration has registered its modules
 * (the later a module, the earlier Jackson asks it), so they take precedence over java.time's.
 */
@Singleton
public class JsonCustomizer implements ObjectMapperCustomizer {

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.registerModule(new SimpleModule("mljobs").addSerializer(Instant.class, new InstantSerializer()));
        // {"input_text":"a","input_text":"b"} is ambiguous: refuse it rather than keep either value.
        mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        // A number field takes a JSON number only: not "1.5", "NaN" or "Infinity" as strings, and an
        // integer field no fraction (1.5 would silently become 1), as the query parameters already do.
        mapper.coercionConfigFor(LogicalType.Float).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Integer).setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
    }

    @Override
    public int priority() {
        return MINIMUM_PRIORITY;
    }
}
