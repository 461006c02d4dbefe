package io.tieredarchive.tier.read;

import io.tieredarchive.testing.SharedS3Backend;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link ArchiveReader} on a real S3 server (S3Proxy): ranged GETs over HTTP. */
class ArchiveReaderOnS3Test extends AbstractArchiveReaderTest {

    @RegisterExtension
    static final SharedS3Backend S3 = new SharedS3Backend("reader", 8L << 20);

    ArchiveReaderOnS3Test() {
        super(S3);
    }
}
