package io.tieredarchive.tier.storage;

import java.io.Closeable;

/**
 * An object store as the tier sees it: a flat namespace of immutable objects (only small manifests are
 * rewritten, by compare-and-set). Each capability is a one-method interface so that a caller, or a test double,
 * depends only on what it uses; a backend implements them all. Every backend passes
 * {@code StorageBackendContractTest}.
 */
public interface StorageBackend extends ObjectUploader, ObjectWriter, ObjectReader, ObjectFetcher, ObjectLister,
        FolderLister, ObjectInspector, ObjectDeleter, Closeable {

    /** Where the objects live, for messages: {@code s3://bucket} or {@code file:/dir}. Never holds a secret. */
    String location();

    /** Releases clients and threads; does not throw. */
    @Override
    void close();
}
