package io.mljobs.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The password rule the prod profile applies at startup. */
class CredentialCheckTest {

    @ParameterizedTest
    @ValueSource(strings = { "", " ", "change-me", "CHANGE-ME", "changeme", "admin", "password", "Password",
            "short-pw", "it-admin", "elevenchars", "CHANGE-ME-to-a-long-random-password", "replace-me-with-something-long",
            "<your password here>", "aaaaaaaaaaaaaaaa", "123456789012" })
    void placeholdersAndShortPasswordsAreRefused(String password) {
        assertTrue(CredentialCheck.weakness(password).isPresent(), password);
    }

    @ParameterizedTest
    @ValueSource(strings = { "it-admin-password-2026", "k9V!m2qXz7Lp", "correct horse battery staple" })
    void longPasswordsThatAreNoPlaceholderPass(String password) {
        assertEquals(Optional.empty(), CredentialCheck.weakness(password), password);
    }

    @org.junit.jupiter.api.Test
    void missingPasswordIsRefused() {
        assertEquals(Optional.of("is not set"), CredentialCheck.weakness(null));
    }
}
