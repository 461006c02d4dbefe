package io.tieredarchive.dr;

/**
 * Where a committed offset of the archived partition lands in the target partition, or why it lands nowhere.
 *
 * @param status       {@link Status#EXACT} when {@code targetOffset} is exact
 * @param targetOffset the offset to commit in the target partition; -1 unless exact
 * @param note         for an exact translation, anything worth knowing (may be empty); otherwise why there is none
 */
public record Translation(Status status, long targetOffset, String note) {

    /** What a translation found. */
    public enum Status {
        /**
         * The target offset of the first replayed record whose original offset is at or after the committed one, or
         * the end of what was replayed when there is none: a consumer starting there reads exactly the records the
         * group had not read, nothing twice, nothing skipped.
         */
        EXACT,
        /**
         * The group's position lies outside what was replayed: before the replay's start, past its end (a window,
         * or a replay not finished), or on records it skipped. Reported, never guessed.
         */
        OUTSIDE_REPLAY,
        /**
         * The replay's records cannot be matched exactly with the archive here: records replayed twice (a replay
         * without exactly-once that restarted), filtered out, or offset syncs that contradict each other.
         */
        NOT_EXACT
    }

    public static Translation exact(long targetOffset, String note) {
        return new Translation(Status.EXACT, targetOffset, note);
    }

    public static Translation outside(String why) {
        return new Translation(Status.OUTSIDE_REPLAY, -1, why);
    }

    public static Translation notExact(String why) {
        return new Translation(Status.NOT_EXACT, -1, why);
    }

    public boolean isExact() {
        return status == Status.EXACT;
    }
}
