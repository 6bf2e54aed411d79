package io.mljobs.web;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import java.util.regex.Pattern;

/** Parses request parameters, turning every malformed value into a 400 problem that names it. */
public final class Params {

    private static final Pattern UUID_TEXT = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private Params() {
    }

    public static boolean isUuid(String value) {
        return value != null && UUID_TEXT.matcher(value).matches();
    }

    /** A UUID in its canonical 8-4-4-4-12 hex form (UUID.fromString alone accepts shorter groups). */
    public static UUID uuid(String name, String value) {
        if (!isUuid(value)) {
            throw ProblemException.invalidParameter(name, name + " must be a UUID such as "
                    + "3f2b8c1e-9d4a-4f6b-8e2a-1c5d7e9f0a3b.");
        }
        return UUID.fromString(value);
    }

    /** Optional text no longer than {@code max}; blank counts as absent. */
    public static String optionalText(String name, String value, int max) {
        if (value == null || value.isBlank()) {
            return null;
        }
        if (value.length() > max) {
            throw ProblemException.invalidParameter(name, name + " must be at most " + max + " characters, was "
                    + value.length() + ".");
        }
        return value;
    }

    public static String requiredText(String name, String value, int max) {
        String text = optionalText(name, value, max);
        if (text == null) {
            throw ProblemException.invalidParameter(name, name + " is required and must not be blank.");
        }
        return text;
    }

    public static int intInRange(String name, String value, int min, int max, int fallback) {
        if (value == null || value.isEmpty()) {
            return fallback;
        }
        int parsed;
        try {
            parsed = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw ProblemException.invalidParameter(name, name + " must be a whole number from "
                    + min + " to " + max + ".");
        }
        if (parsed < min || parsed > max) {
            throw ProblemException.invalidParameter(name, name + " must be from " + min + " to " + max
                    + ", was " + parsed + ".");
        }
        return parsed;
    }

    /**
     * An instant in ISO-8601 with an offset ({@code 2026-05-01T12:00:00Z}) or a date
     * ({@code 2026-05-01}, meaning its start in UTC). Truncated to microseconds, PostgreSQL's precision.
     */
    public static Instant instant(String name, String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        try {
            Instant parsed = value.length() == 10
                    ? LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant()
                    : OffsetDateTime.parse(value).toInstant();
            return parsed.truncatedTo(ChronoUnit.MICROS);
        } catch (DateTimeParseException e) {
            throw ProblemException.invalidParameter(name, name + " must be an ISO-8601 timestamp with "
                    + "an offset, such as 2026-05-01T12:00:00Z, or a date such as 2026-05-01.");
        }
    }
}
