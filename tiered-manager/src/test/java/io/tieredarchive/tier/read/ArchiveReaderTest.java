package io.tieredarchive.tier.read;

import io.tieredarchive.testing.BackendUnderTest;

/** {@link ArchiveReader} on a local-directory store. */
class ArchiveReaderTest extends AbstractArchiveReaderTest {

    ArchiveReaderTest() {
        super(BackendUnderTest.directory());
    }
}
