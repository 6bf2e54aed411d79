package io.mljobs.db;

/**
 * How far behind the primary a streaming standby is, as an upper bound from two measurements, either of which
 * may be missing:
 *
 * <ul>
 * <li>the primary's WAL position, sampled on every check ({@link #primaryAt}): a standby that has replayed up to
 * a position the primary had at time t has every commit made before t, so it is at most {@code now - t} behind.
 * When it has replayed what the primary had just before it was asked, it is 0 behind; an idle primary
 * (nothing new to replay) therefore never makes a caught-up standby look stale;</li>
 * <li>the commit time of the last transaction the standby replayed ({@code pg_last_xact_replay_timestamp()}):
 * it has everything committed up to then, so it is at most {@code now - that} behind. This alone overstates
 * the lag of a standby of an idle primary (the last commit may be hours old), hence the first; it is what is
 * left when the primary's position could not be read.</li>
 * </ul>
 *
 * The lag is the smaller bound; with neither, it is unknown ({@code +Infinity}) and the standby serves no reads.
 * Thread-safe; samples are kept for {@value #SAMPLES} checks (about 30 s at one check each 500 ms), past which the
 * second bound (or +Infinity) takes over.
 */
final class ReplicaLag {

    static final int SAMPLES = 64;

    private final long[] atNanos = new long[SAMPLES];
    private final long[] positions = new long[SAMPLES];
    private int count;
    private int newest = -1;

    /** The primary's WAL position {@code lsn}, read at {@code nanos} (System.nanoTime()). */
    synchronized void primaryAt(long nanos, long lsn) {
        newest = (newest + 1) % SAMPLES;
        atNanos[newest] = nanos;
        positions[newest] = lsn;
        count = Math.min(count + 1, SAMPLES);
    }

    /**
     * The lag in seconds as of {@code asOfNanos} (the time of the primary sample taken just before the standby was
     * asked, or now), of a standby that has replayed up to {@code replayed} (null: unknown) and whose last replayed
     * commit is {@code replayAgeSeconds} old by its own clock (null: none replayed since it started).
     */
    synchronized double seconds(long asOfNanos, Long replayed, Double replayAgeSeconds) {
        double bound = replayAgeSeconds == null || replayAgeSeconds.isNaN() ? Double.POSITIVE_INFINITY
                // Clocks of two machines: a commit "in the future" is a commit just now.
                : Math.max(0, replayAgeSeconds);
        if (replayed != null) {
            for (int i = 0; i < count; i++) {
                int at = Math.floorMod(newest - i, SAMPLES);
                if (Long.compareUnsigned(positions[at], replayed) <= 0) {
                    bound = Math.min(bound, Math.max(0, asOfNanos - atNanos[at]) / 1e9);
                    break;
                }
            }
        }
        return bound;
    }

    /** PostgreSQL's text form of a WAL position, {@code 16/B374D848}, as the 64-bit number it stands for. */
    static long parseLsn(String text) {
        int slash = text.indexOf('/');
        if (slash < 1 || slash == text.length() - 1) {
            throw new IllegalArgumentException("not a WAL position: " + text);
        }
        return Long.parseUnsignedLong(text.substring(0, slash), 16) << 32
                | Long.parseUnsignedLong(text.substring(slash + 1), 16);
    }
}
