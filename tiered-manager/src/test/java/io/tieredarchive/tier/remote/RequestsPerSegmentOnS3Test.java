package io.tieredarchive.tier.remote;

import io.tieredarchive.segment.SegmentFiles;
import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.testing.HttpRequestRelay;
import io.tieredarchive.testing.S3ProxyServer;
import io.tieredarchive.testing.S3TestConnections;
import io.tieredarchive.tier.TestArchive;
import io.tieredarchive.tier.storage.S3StorageBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.tieredarchive.tier.TestArchive.T0;
import static io.tieredarchive.tier.TestArchive.TOPIC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a sealed segment costs in S3 requests, counted on the wire (every HTTP request, SDK retries included) in
 * front of a real S3 server, manifest included: 4 PUTs (the three files at once, the marker last) and one manifest
 * update (GET, LIST, conditional PUT, and on a store not known for atomic conditional writes a GET to read it
 * back), shared by the segments of a partition registered together; one LIST before the local copy is deleted.
 * On AWS S3 the read-back is skipped: 7 per segment.
 */
class RequestsPerSegmentOnS3Test {

    @TempDir
    Path tempDir;

    @Test
    void aSealedSegmentCostsEightRequestsAndOneMoreBeforeItsLocalCopyGoes() throws Exception {
        try (S3ProxyServer s3 = S3ProxyServer.startIn(tempDir);
             HttpRequestRelay relay = new HttpRequestRelay(s3.port());
             RemoteSegmentStore store = new RemoteSegmentStore(S3StorageBackend.create(S3TestConnections
                     .withEndpoint(S3TestConnections.create(s3, "count"), relay.endpoint())), "p", () -> T0)) {
            List<SegmentFiles> files = new ArrayList<>();
            List<SegmentMetadata> metas = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                files.add(TestArchive.seal(tempDir.resolve("local"), TOPIC, 0, i * 100L, 100, "w1", T0));
                metas.add(TestArchive.meta(files.get(i)));
            }
            store.upload(files.get(0), metas.get(0));
            store.register(TestArchive.partition(TOPIC, 0), List.of(metas.get(0)));   // the manifest exists: the steady state

            relay.clearRequests();
            store.upload(files.get(1), metas.get(1));
            store.register(TestArchive.partition(TOPIC, 0), List.of(metas.get(1)));
            List<String> one = requests(relay);
            assertEquals(8, one.size(), one.toString());
            assertTrue(one.subList(0, 3).stream().allMatch(r -> r.startsWith("PUT ")), one.toString());
            assertEquals(List.of("PUT 00000000000000000100.json", "GET manifest.json", "LIST",
                    "PUT manifest.json", "GET manifest.json"), one.subList(3, 8));

            relay.clearRequests();
            assertTrue(store.isVerified(files.get(1), metas.get(1)));
            assertEquals(List.of("LIST"), requests(relay), "before the local copy is deleted");

            relay.clearRequests();
            for (int i = 2; i < 5; i++) {
                store.upload(files.get(i), metas.get(i));
            }
            store.register(TestArchive.partition(TOPIC, 0), metas.subList(2, 5));
            assertEquals(3 * 4 + 4, requests(relay).size(), "three segments registered together: "
                    + requests(relay));
        }
    }

    /** Each request as "METHOD name", the name the last part of the key, a listing as "LIST". */
    private static List<String> requests(HttpRequestRelay relay) {
        return relay.requests().stream().map(r -> r.target().contains("list-type=2") ? "LIST"
                : r.method() + " " + r.path().substring(r.path().lastIndexOf('/') + 1)).toList();
    }
}
