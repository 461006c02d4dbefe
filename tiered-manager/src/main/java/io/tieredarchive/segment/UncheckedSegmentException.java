package io.tieredarchive.segment;

/**
 * Wraps a {@link SegmentException} where an {@link java.util.Iterator} cannot throw a checked exception. Callers
 * unwrap it with {@link #getCause()}.
 */
public class UncheckedSegmentException extends RuntimeException {

    public UncheckedSegmentException(SegmentException cause) {
        super(cause.getMessage(), cause);
    }

    @Override
    public synchronized SegmentException getCause() {
        return (SegmentException) super.getCause();
    }
}
