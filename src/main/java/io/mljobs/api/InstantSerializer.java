package io.mljobs.api;

import java.io.IOException;
import java.time.Instant;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;

/**
 * Writes an {@link Instant} exactly as {@link Instant#toString()} does, without going through
 * {@code DateTimeFormatter}: a page of 50 jobs holds up to 200 timestamps, and the formatter was
 * the largest single cost of serving one in the profile. Years outside 0000-9999 take the JDK path.
 */
public final class InstantSerializer extends StdSerializer<Instant> {

    /** The longest text the fast path writes: 2024-12-31T23:59:59.123456789Z. */
    private static final int MAX_LENGTH = 30;

    InstantSerializer() {
        super(Instant.class);
    }

    @Override
    public void serialize(Instant value, JsonGenerator generator, SerializerProvider provider) throws IOException {
        write(value, generator);
    }

    /** Writes the instant as a JSON string, or null. */
    public static void write(Instant instant, JsonGenerator generator) throws IOException {
        if (instant == null) {
            generator.writeNull();
            return;
        }
        char[] out = new char[MAX_LENGTH];
        int length = format(instant, out);
        if (length < 0) {
            generator.writeString(instant.toString());
        } else {
            generator.writeString(out, 0, length);
        }
    }

    static String format(Instant instant) {
        char[] out = new char[MAX_LENGTH];
        int length = format(instant, out);
        return length < 0 ? instant.toString() : new String(out, 0, length);
    }

    /** Fills out and answers the length, or -1 for a year the fast path does not cover. */
    private static int format(Instant instant, char[] out) {
        long seconds = instant.getEpochSecond();
        long days = Math.floorDiv(seconds, 86_400);
        int secondOfDay = (int) Math.floorMod(seconds, 86_400);
        // Civil date from days since 1970-01-01 (H. Hinnant's algorithm, proleptic Gregorian).
        long shifted = days + 719_468;
        long era = Math.floorDiv(shifted, 146_097);
        long dayOfEra = shifted - era * 146_097;
        long yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
        long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        long monthIndex = (5 * dayOfYear + 2) / 153;
        int day = (int) (dayOfYear - (153 * monthIndex + 2) / 5 + 1);
        int month = (int) (monthIndex < 10 ? monthIndex + 3 : monthIndex - 9);
        long year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
        if (year < 0 || year > 9_999) {
            return -1;
        }
        int nanos = instant.getNano();
        // As many fraction digits as needed, in groups of three, as ISO_INSTANT prints them.
        int fractionDigits = nanos == 0 ? 0 : nanos % 1_000_000 == 0 ? 3 : nanos % 1_000 == 0 ? 6 : 9;
        digits(out, 0, (int) year, 4);
        out[4] = '-';
        digits(out, 5, month, 2);
        out[7] = '-';
        digits(out, 8, day, 2);
        out[10] = 'T';
        digits(out, 11, secondOfDay / 3_600, 2);
        out[13] = ':';
        digits(out, 14, secondOfDay / 60 % 60, 2);
        out[16] = ':';
        digits(out, 17, secondOfDay % 60, 2);
        int end = 19;
        if (fractionDigits > 0) {
            out[end++] = '.';
            int fraction = nanos / (fractionDigits == 3 ? 1_000_000 : fractionDigits == 6 ? 1_000 : 1);
            digits(out, end, fraction, fractionDigits);
            end += fractionDigits;
        }
        out[end++] = 'Z';
        return end;
    }

    private static void digits(char[] out, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            out[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }
}
