package io.tieredarchive.segment;

import io.tieredarchive.config.S3Connection;
import io.tieredarchive.s3.S3ClientFactory;
import io.tieredarchive.testing.S3ProxyServer;
import io.tieredarchive.testing.S3TestConnections;
import io.tieredarchive.tier.TestArchive;
import io.tieredarchive.tier.remote.RemoteSegmentStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An archived segment downloaded from S3 with a plain S3 client, its folder as it is, is read by Kafka's own
 * {@code kafka-dump-log.sh}: the objects of a segment keep Kafka's file names ({@code <base>.log}, ...) inside a
 * folder named after the base offset and the writer. (Before, objects were named {@code <base>-<writer>.log}, and
 * {@code DumpLogSegments}, which reads the base offset from the file name, refused them.)
 */
class DownloadedSegmentIsKafkasTest {

    @TempDir
    Path tmp;

    @Test
    void kafkaDumpLogReadsASegmentFolderDownloadedAsItIs() throws Exception {
        try (S3ProxyServer s3 = S3ProxyServer.startIn(tmp)) {
            S3Connection connection = S3TestConnections.create(s3, "plain");
            SegmentFiles sealed = TestArchive.seal(tmp.resolve("local"), "orders", 0, 1_000, 300, "orders-archive-0",
                    TestArchive.T0, 200, 8 * 1024);
            SegmentMetadata meta = TestArchive.meta(sealed);
            try (RemoteSegmentStore store = RemoteSegmentStore.create(connection)) {
                store.upload(sealed, meta);
            }
            String folder = "orders/test-cluster.test-topic-id/0/00000000000000001000-orders-archive-0/";
            Path download = Files.createDirectories(tmp.resolve("download"));
            try (S3AsyncClient client = S3ClientFactory.asyncClient(connection)) {
                List<S3Object> objects = client.listObjectsV2(r -> r.bucket("plain").prefix(folder)).join().contents();
                assertEquals(4, objects.size(), objects.toString());
                for (S3Object o : objects) {
                    String name = o.key().substring(folder.length());
                    client.getObject(r -> r.bucket("plain").key(o.key()),
                            AsyncResponseTransformer.toFile(download.resolve(name))).join();
                }
            }
            Path log = download.resolve("00000000000000001000.log");
            DumpLogTool.Output out = DumpLogTool.run("--files", log.toString(), "--print-data-log");
            assertEquals(300, out.out().lines().filter(l -> l.contains("| offset: ")).count(), out.err());
            DumpLogTool.Output verify = DumpLogTool.run("--files", download.resolve("00000000000000001000.index")
                    + "," + download.resolve("00000000000000001000.timeindex"), "--verify-index-only");
            assertTrue(verify.err().isBlank(), verify.err());
        }
    }
}
