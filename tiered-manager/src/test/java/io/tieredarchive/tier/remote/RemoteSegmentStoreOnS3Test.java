package io.tieredarchive.tier.remote;

import io.tieredarchive.testing.SharedS3Backend;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link RemoteSegmentStore} on a real S3 server (S3Proxy): conditional writes, listings and HEADs over HTTP. */
class RemoteSegmentStoreOnS3Test extends AbstractRemoteSegmentStoreTest {

    @RegisterExtension
    static final SharedS3Backend S3 = new SharedS3Backend("store", 8L << 20);

    RemoteSegmentStoreOnS3Test() {
        super(S3);
    }
}
