package io.tieredarchive.segment;

import io.tieredarchive.failure.ClassifiedFailure;
import io.tieredarchive.failure.FailureKind;

/**
 * A segment's bytes are not what was written: a batch fails its CRC, has a foreign magic, an impossible size,
 * offsets out of order, or a file does not match its marker. Retrying does not help; the object must be restored
 * from another copy.
 */
public class CorruptSegmentException extends SegmentException implements ClassifiedFailure {

    private final String objectName;
    private final long position;

    /**
     * @param objectName the file path or object key holding the bad bytes
     * @param position   the byte position of the bad batch or entry in that object, -1 when it is the whole object
     */
    public CorruptSegmentException(String objectName, long position, String message) {
        this(objectName, position, message, null);
    }

    public CorruptSegmentException(String objectName, long position, String message, Throwable cause) {
        super("Corrupt segment data in " + objectName + (position >= 0 ? " at byte position " + position : "")
                + ": " + message, cause);
        this.objectName = objectName;
        this.position = position;
    }

    /** Always {@link FailureKind#CORRUPT}. */
    @Override
    public FailureKind failureKind() {
        return FailureKind.CORRUPT;
    }

    /** The file path or object key holding the bad bytes. */
    public String objectName() {
        return objectName;
    }

    /** The byte position of the bad batch or index entry, -1 when the whole object is wrong. */
    public long position() {
        return position;
    }
}
