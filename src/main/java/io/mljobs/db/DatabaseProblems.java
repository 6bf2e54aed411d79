package io.mljobs.db;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import io.mljobs.api.FailureClassifier;
import io.mljobs.api.ProblemException;

/**
 * What database failures mean to the client: a value PostgreSQL refused (SQLSTATE class 22) is
 * the client's 400; a database that cannot take the request now (admission refused it, a timeout
 * fired, the server is unreachable or restarting) is a 503 to retry. Logged by Db once per outage
 * or interval, not per request.
 */
@ApplicationScoped
public class DatabaseProblems implements FailureClassifier {

    static final int RETRY_AFTER_SECONDS = 1;

    @Override
    public Optional<ProblemException> classify(Throwable failure) {
        String dataError = DatabaseFailures.dataExceptionState(failure);
        if (dataError != null) {
            // Validation should have caught it first; if one slips through it is still a 400.
            return Optional.of(ProblemException.badRequest("A value in the request is outside what the database "
                    + "accepts (SQLSTATE " + dataError + ")."));
        }
        if (DatabaseFailures.isUnavailable(failure)) {
            return Optional.of(ProblemException.unavailable("database-unavailable", "Database busy or unavailable",
                    "The database cannot take this request now; retry after the time in Retry-After.",
                    RETRY_AFTER_SECONDS));
        }
        return Optional.empty();
    }
}
