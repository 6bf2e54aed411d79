package io.mljobs.security;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.Config;

import io.mljobs.config.MlJobsConfig;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;

/**
 * The packaged service (prod profile) refuses to start with a placeholder or short password: a
 * Secret applied unedited would otherwise leave admin (and, with access control on, the job API)
 * behind a password anyone can read in the repository. Dev and test modes keep their short ones.
 */
@ApplicationScoped
public class CredentialCheck {

    public static final int MIN_LENGTH = 12;
    static final String USERS = "quarkus.security.users.embedded.users.";
    private static final Set<String> PLACEHOLDERS = Set.of("admin", "password", "passwd", "secret", "changeit",
            "default", "test", "letmein", "12345678", "123456789012", "administrator", "qwerty");
    /** Fragments that mark a value as a template to fill in, however long. */
    private static final List<String> PLACEHOLDER_MARKS = List.of("change-me", "changeme", "change_me", "replace-me",
            "replaceme", "placeholder", "<", "${");

    private final Config config;
    private final boolean jobsApi;

    public CredentialCheck(Config config, MlJobsConfig mljobs) {
        this.config = config;
        this.jobsApi = mljobs.security().jobsApi();
    }

    void check(@Observes StartupEvent event) {
        if (LaunchMode.current() != LaunchMode.NORMAL) {
            return;
        }
        List<String> refused = refusals(config, jobsApi);
        if (!refused.isEmpty()) {
            throw new IllegalStateException("refusing to start: " + String.join("; ", refused)
                    + ". Set a password of at least " + MIN_LENGTH + " characters that is not a placeholder "
                    + "(MLJOBS_ADMIN_PASSWORD, and with MLJOBS_SECURITY_JOBS_API=true MLJOBS_READER_PASSWORD, "
                    + "MLJOBS_SUBMITTER_PASSWORD, MLJOBS_WORKER_PASSWORD).");
        }
    }

    /** Each weak password's user and why, never the password itself. */
    static List<String> refusals(Config config, boolean jobsApi) {
        Set<String> users = new TreeSet<>(List.of("admin"));
        if (jobsApi) {
            // Every embedded user can then reach something: the three of the roles and any added.
            users.addAll(List.of("reader", "submitter", "worker"));
            for (String name : config.getPropertyNames()) {
                if (name.startsWith(USERS)) {
                    users.add(name.substring(USERS.length()));
                }
            }
        }
        List<String> refused = new ArrayList<>();
        for (String user : users) {
            weakness(config.getOptionalValue(USERS + user, String.class).orElse(null))
                    .ifPresent(why -> refused.add("the password of user " + user + " " + why));
        }
        return refused;
    }

    /** Why this password is refused, or empty if it is acceptable. */
    public static Optional<String> weakness(String password) {
        if (password == null || password.isBlank()) {
            return Optional.of("is not set");
        }
        String lower = password.toLowerCase(Locale.ROOT);
        if (PLACEHOLDERS.contains(lower) || PLACEHOLDER_MARKS.stream().anyMatch(lower::contains)) {
            return Optional.of("is a placeholder");
        }
        if (password.length() < MIN_LENGTH) {
            return Optional.of("is shorter than " + MIN_LENGTH + " characters");
        }
        if (password.chars().distinct().count() < 4) {
            return Optional.of("repeats too few characters");
        }
        return Optional.empty();
    }
}
