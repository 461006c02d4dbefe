package io.tieredarchive.failure;

/**
 * An exception that carries its {@link FailureKind}, set where it was raised ({@code StorageException},
 * {@code CorruptSegmentException}, the bucket copy's {@code CopyException}), so that {@link Failures} never looks at
 * a store's own exception types.
 */
public interface ClassifiedFailure {

    /** What the failure is. */
    FailureKind failureKind();
}
