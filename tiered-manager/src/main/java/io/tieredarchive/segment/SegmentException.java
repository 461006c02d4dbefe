package io.tieredarchive.segment;

/**
 * The checked exception of the segment format: a segment could not be written, read or recovered. The message
 * always names the file or object and, where known, the offset or byte position.
 */
public class SegmentException extends Exception {

    public SegmentException(String message) {
        super(message);
    }

    public SegmentException(String message, Throwable cause) {
        super(message, cause);
    }
}
