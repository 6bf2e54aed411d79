package io.mljobs.testing;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;

/** Credentials the test profile defines (application.properties, %test). */
public final class Admin {

    public static final String USER = "admin";
    public static final String PASSWORD = "test-admin";
    public static final String BASIC_AUTH = basic(USER, PASSWORD);

    private Admin() {
    }

    /** A RestAssured request sending the admin's credentials. */
    public static RequestSpecification asAdmin() {
        return RestAssured.given().auth().preemptive().basic(USER, PASSWORD);
    }

    public static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
