package io.tieredarchive.testing;

import io.tieredarchive.tier.storage.FileSystemStorageBackend;
import io.tieredarchive.tier.storage.StorageBackend;

import java.nio.file.Path;

/**
 * The store a test that runs on every backend uses: a fresh local directory per test ({@link #directory()}), or one
 * S3Proxy shared by the tests of a class ({@link SharedS3Backend}).
 */
public interface BackendUnderTest {

    /** The backend for one test; {@code tempDir} is the test's own. */
    StorageBackend backend(Path tempDir);

    /** True when the backend outlives a test (its extension closes it), so the test must not close it. */
    boolean shared();

    /** The file in which the backend keeps the object {@code key}, to damage it. */
    Path objectFile(Path tempDir, String key);

    /** A {@link FileSystemStorageBackend} on {@code <tempDir>/bucket}, new for each test. */
    static BackendUnderTest directory() {
        return new BackendUnderTest() {
            @Override
            public StorageBackend backend(Path tempDir) {
                return new FileSystemStorageBackend(tempDir.resolve("bucket"));
            }

            @Override
            public boolean shared() {
                return false;
            }

            @Override
            public Path objectFile(Path tempDir, String key) {
                return tempDir.resolve("bucket").resolve(key);
            }
        };
    }
}
