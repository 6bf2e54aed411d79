package io.mljobs.testing;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;

import io.restassured.response.ValidatableResponse;

/** Asserts the problem+json shape every error response must have. */
public final class Problems {

    private Problems() {
    }

    /** The response is a problem of exactly this status and type ({@code /problems/<slug>}). */
    public static ValidatableResponse expectProblem(ValidatableResponse response, int status, String slug) {
        return response.statusCode(status)
                .contentType("application/problem+json")
                .body("status", equalTo(status))
                .body("type", equalTo("/problems/" + slug))
                .body("title", notNullValue())
                .body("detail", notNullValue())
                .body("detail", not(containsString("Exception")))
                .body("instance", notNullValue());
    }
}
