package io.mljobs.api;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.UriInfo;

/** Parses request parameters, turning every malformed value into a 400 problem that names it. */
public final class Params {

    private static final Pattern UUID_TEXT = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    static final Instant MIN_INSTANT = Instant.parse("0001-01-01T00:00:00Z");
    static final Instant MAX_INSTANT = Instant.parse("9999-12-31T23:59:59.999999Z");

    private Params() {
    }

    /**
     * A query parameter given with an empty value ({@code days_old=}) is a 400, not a request for its
     * default. Quarkus REST hands an empty value to the resource as null, like an absent one, so each
     * resource names its parameters here and the raw query is checked.
     */
    public static void notEmpty(UriInfo uri, String... names) {
        MultivaluedMap<String, String> query = uri.getQueryParameters();
        for (String name : names) {
            List<String> values = query.get(name);
            if (values != null && values.stream().anyMatch(String::isEmpty)) {
                throw ProblemException.invalidParameter(name, name + " is empty; leave it out for the default "
                        + "or give a value.");
            }
        }
    }

    /** A query parameter that is absent (null) or names one of a fixed set; present but empty is 400. */
    public static String presentOrNull(String name, String value, String expected) {
        if (value != null && value.isEmpty()) {
            throw ProblemException.invalidParameter(name, name + " is empty; leave it out or give " + expected + ".");
        }
        return value;
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
        storable(name, value);
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

    /**
     * Text PostgreSQL can store as given: no NUL (it rejects those, SQLSTATE 22021) and no lone
     * surrogate (the UTF-8 encoder would silently turn it into '?'). Null passes.
     */
    public static String storable(String name, String value) {
        if (value == null) {
            return null;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\0') {
                throw ProblemException.invalidParameter(name, name + " must not contain NUL characters (U+0000), "
                        + "found one at index " + i + ".");
            }
            if (Character.isSurrogate(c)) {
                boolean paired = Character.isHighSurrogate(c) && i + 1 < value.length()
                        && Character.isLowSurrogate(value.charAt(i + 1));
                if (!paired) {
                    throw ProblemException.invalidParameter(name, name + " must be valid Unicode; it has an "
                            + "unpaired surrogate at index " + i + ".");
                }
                i++;
            }
        }
        return value;
    }

    /** A batch of 1 to {@code max} items, in a field named for them ("jobs", "results"); absent is 400 too. */
    public static <T> List<T> batch(String name, List<T> items, int max) {
        if (items == null || items.isEmpty() || items.size() > max) {
            throw ProblemException.invalidParameter(name, name + " must hold 1 to " + max + " " + name
                    + (items == null ? "." : ", held " + items.size() + "."));
        }
        return items;
    }

    /** Absent (null) means the fallback; present but empty is a mistake, not a request for the default. */
    public static int intInRange(String name, String value, int min, int max, int fallback) {
        if (value == null) {
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

    /** A float the client sent, if any, that is a real number (JSON has no NaN; 1e400 parses as infinity). */
    public static Double finite(String name, Double value) {
        if (value != null && !Double.isFinite(value)) {
            throw ProblemException.invalidParameter(name, name + " must be a finite number.");
        }
        return value;
    }

    /**
     * An instant in ISO-8601 with an offset ({@code 2026-05-01T12:00:00Z}) or a date
     * ({@code 2026-05-01}, meaning its start in UTC). Truncated to microseconds, PostgreSQL's precision.
     * Years 1 to 9999 only, as in cursors: wide enough for any real bound, and held by both
     * {@code Position}'s microseconds and PostgreSQL's timestamptz. Absent is null, empty is 400.
     */
    public static Instant instant(String name, String value) {
        if (value == null) {
            return null;
        }
        try {
            Instant parsed = value.length() == 10
                    ? LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant()
                    : OffsetDateTime.parse(value).toInstant();
            if (parsed.isBefore(MIN_INSTANT) || parsed.isAfter(MAX_INSTANT)) {
                throw ProblemException.invalidParameter(name, name + " must be from " + MIN_INSTANT + " to "
                        + MAX_INSTANT + ".");
            }
            return parsed.truncatedTo(ChronoUnit.MICROS);
        } catch (DateTimeParseException e) {
            throw ProblemException.invalidParameter(name, name + " must be an ISO-8601 timestamp with "
                    + "an offset, such as 2026-05-01T12:00:00Z, or a date such as 2026-05-01.");
        }
    }
}
