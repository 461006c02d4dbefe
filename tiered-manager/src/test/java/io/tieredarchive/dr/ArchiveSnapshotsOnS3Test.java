package io.tieredarchive.dr;

import io.tieredarchive.testing.SharedS3Backend;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link ArchiveSnapshots} on a real S3 server (S3Proxy): If-None-Match writes and delimiter listings over HTTP. */
class ArchiveSnapshotsOnS3Test extends AbstractArchiveSnapshotsTest {

    @RegisterExtension
    static final SharedS3Backend S3 = new SharedS3Backend("snapshots", 8L << 20);

    ArchiveSnapshotsOnS3Test() {
        super(S3);
    }
}
