package io.tieredarchive.source.copy;

import io.tieredarchive.config.S3Connection;
import io.tieredarchive.s3.S3WriteOptions;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CopySettingsTest {

    private static final S3Connection DESTINATION = new S3Connection("dst", "", "us-east-1", null, false, null,
            null, S3Connection.ChecksumMode.WHEN_SUPPORTED, "STANDARD_IA", S3Connection.Sse.AES256, null, 5L << 20,
            8, 3);
    private static final SourceObject GLACIER_IR = new SourceObject("k", 1, "\"e\"", "GLACIER_IR");

    private static CopySettings settings(boolean preserve) {
        return new CopySettings(DESTINATION, DESTINATION, true, true, 5L << 20, 5L << 20, false, preserve);
    }

    @Test
    void copiesGetTheDestinationsStorageClassUnlessTheSourcesIsPreserved() {
        assertEquals(new S3WriteOptions("STANDARD_IA", S3Connection.Sse.AES256, null),
                settings(false).writeOptions(GLACIER_IR));
        assertEquals(new S3WriteOptions("GLACIER_IR", S3Connection.Sse.AES256, null),
                settings(true).writeOptions(GLACIER_IR));
        assertEquals(new S3WriteOptions(null, S3Connection.Sse.AES256, null),
                settings(true).writeOptions(new SourceObject("k", 1, "\"e\"", null)),
                "unknown source class: the bucket's default");
    }
}
