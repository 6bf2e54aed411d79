package io.mljobs.job;

import java.util.List;
import java.util.UUID;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** The new jobs' identifiers, in the order the request listed the jobs. */
// Built into a Response, where the native build cannot see the type: register it for Jackson.
@RegisterForReflection
public record BatchCreated(@Schema(required = true) List<UUID> jobUuids) {
}
