package io.tieredarchive.dr;

import io.tieredarchive.testing.BackendUnderTest;

/** {@link ArchiveSnapshots} on a local directory. */
class ArchiveSnapshotsTest extends AbstractArchiveSnapshotsTest {

    ArchiveSnapshotsTest() {
        super(BackendUnderTest.directory());
    }
}
