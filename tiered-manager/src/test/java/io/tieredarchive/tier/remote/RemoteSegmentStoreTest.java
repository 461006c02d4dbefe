package io.tieredarchive.tier.remote;

import io.tieredarchive.testing.BackendUnderTest;

/** {@link RemoteSegmentStore} on a local directory. */
class RemoteSegmentStoreTest extends AbstractRemoteSegmentStoreTest {

    RemoteSegmentStoreTest() {
        super(BackendUnderTest.directory());
    }
}
