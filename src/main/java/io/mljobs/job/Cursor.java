package io.mljobs.job;

import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.zip.CRC32;

import io.mljobs.api.ProblemException;

/**
 * The opaque {@code next_cursor}: base64url of a version byte, the order, the last row's position
 * and a CRC-32 over them, so a truncated, mangled or made-up token is told apart from a real one.
 */
public record Cursor(Position position, SortOrder order) {

    private static final byte VERSION = 1;
    /** Years 1 to 9999: a position outside could only come from a forged cursor. */
    private static final long MIN_MICROS = -62_135_596_800_000_000L;
    private static final long MAX_MICROS = 253_402_300_799_999_999L;
    private static final int PAYLOAD = 1 + 1 + 8 + 8;
    private static final int LENGTH = PAYLOAD + 4;

    public String encode() {
        ByteBuffer buffer = ByteBuffer.allocate(LENGTH)
                .put(VERSION)
                .put((byte) order.ordinal())
                .putLong(position.createdAtMicros())
                .putLong(position.id());
        buffer.putInt((int) crc(buffer.array()));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(buffer.array());
    }

    public static Cursor decode(String token) {
        byte[] bytes;
        try {
            bytes = Base64.getUrlDecoder().decode(token);
        } catch (IllegalArgumentException e) {
            throw invalid();
        }
        if (bytes.length != LENGTH) {
            throw invalid();
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        byte version = buffer.get();
        byte order = buffer.get();
        long micros = buffer.getLong();
        long id = buffer.getLong();
        int checksum = buffer.getInt();
        // The checksum catches damage, not forgery (anyone can compute CRC-32): bound the values too.
        if (version != VERSION || checksum != (int) crc(bytes) || order < 0 || order >= SortOrder.values().length
                || id <= 0 || micros < MIN_MICROS || micros > MAX_MICROS) {
            throw invalid();
        }
        return new Cursor(new Position(micros, id), SortOrder.values()[order]);
    }

    private static long crc(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, PAYLOAD);
        return crc.getValue();
    }

    private static ProblemException invalid() {
        return ProblemException.invalidParameter("cursor", "cursor must be a next_cursor value returned by "
                + "this API, unchanged, or the job_uuid of a job to continue after.");
    }
}
