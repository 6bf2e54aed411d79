package io.mljobs.api;

import java.util.Optional;

/**
 * Lets a lower layer say what a failure it raised means to the client (a 400 for a value the
 * database refused, a 503 for a database that cannot take the request) without this layer knowing
 * that layer's exceptions. Each implementation is a CDI bean; {@link ProblemMapper} asks them all.
 */
public interface FailureClassifier {

    /** The problem to answer for this failure, or empty if this classifier does not know it. */
    Optional<ProblemException> classify(Throwable failure);
}
