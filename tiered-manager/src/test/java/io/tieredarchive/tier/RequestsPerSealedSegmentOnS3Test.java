package io.tieredarchive.tier;

import io.tieredarchive.segment.SegmentFiles;
import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.testing.HttpRequestRelay;
import io.tieredarchive.testing.S3ProxyServer;
import io.tieredarchive.testing.S3TestConnections;
import io.tieredarchive.tier.remote.ArchivePartition;
import io.tieredarchive.tier.remote.RemoteSegmentStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

import static io.tieredarchive.tier.TestArchive.T0;
import static io.tieredarchive.tier.TestArchive.TOPIC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a sealed segment costs in S3 requests through the real tiering service, from its upload to the deletion of
 * its local copy, manifest included, counted on the wire in front of a real S3 server (S3Proxy: not AWS, so every
 * manifest update is read back). The segments are sealed one at a time, each followed by a pass, as the sink does
 * (a seal wakes the tier): the case where nothing is shared between segments unless the tier shares it.
 */
class RequestsPerSealedSegmentOnS3Test {

    private static final int SEGMENTS = 8;
    private static final ArchivePartition TP = TestArchive.partition(TOPIC, 0);

    @TempDir
    Path tempDir;

    @Test
    void aSealedSegmentCostsAtMostSevenRequestsFromUploadToLocalDeletion() throws Exception {
        sealOneAtATimeAndCount(1_000);
    }

    /**
     * A quiet partition seals one segment per {@code segment.ms} (10 minutes by default), so a second segment never
     * waits beside the first within a minute: its segments share manifest updates only if a segment waits for
     * others longer than the time between two seals.
     */
    @Test
    void aQuietPartitionSealingOneSegmentPerSegmentMsAlsoCostsAtMostSevenRequestsASegment() throws Exception {
        sealOneAtATimeAndCount(600_000);
    }

    private void sealOneAtATimeAndCount(long msBetweenSeals) throws Exception {
        Path localDir = tempDir.resolve("local");
        AtomicLong clock = new AtomicLong(T0);
        List<SegmentFiles> sealed = new ArrayList<>();
        Map<String, Integer> byKind;
        try (S3ProxyServer s3 = S3ProxyServer.startIn(tempDir);
             HttpRequestRelay relay = new HttpRequestRelay(s3.port())) {
            RemoteSegmentStore store = RemoteSegmentStore.create(S3TestConnections.withEndpoint(
                    S3TestConnections.create(s3, "requests"), relay.endpoint()));
            // Local retention 0: each copy goes in the pass that tiered it, after its check in the store.
            TieringSettings settings = new TieringSettings(localDir, 0, 0, -1, 1_000, 2, 1_000, 8_000);
            TieringService service = new TieringService(settings, store, clock::get);
            relay.clearRequests();
            try {
                for (int i = 0; i < SEGMENTS; i++) {
                    SegmentFiles files = TestArchive.seal(localDir, TOPIC, 0, i * 100L, 100, "w1", clock.get());
                    sealed.add(files);
                    service.segmentSealed(files, TestArchive.meta(files));
                    clock.addAndGet(msBetweenSeals);
                    service.runPass();
                }
            } finally {
                service.close();
            }
            byKind = kinds(relay.requests());
            try (RemoteSegmentStore reader = RemoteSegmentStore.create(S3TestConnections.create(s3, "requests"))) {
                List<SegmentMetadata> manifest = reader.readManifest(TP).orElseThrow().segments();
                assertEquals(SEGMENTS, manifest.size(), "every segment registered in the manifest by the end: "
                        + manifest);
                assertEquals(SEGMENTS * 100L, reader.view(TP).endOffset());
            }
        }
        for (SegmentFiles files : sealed) {
            assertFalse(Files.exists(files.log()), "the local copy went once verified: " + files.log());
        }
        int total = byKind.values().stream().mapToInt(Integer::intValue).sum();
        assertTrue(byKind.getOrDefault("PUT", 0) >= 4 * SEGMENTS, byKind.toString());
        assertTrue(total <= 7 * SEGMENTS, SEGMENTS + " segments sealed " + msBetweenSeals + " ms apart cost " + total
                + " requests ("
                + String.format("%.2f", (double) total / SEGMENTS) + " per segment), more than 7 each: " + byKind);
    }

    /** Requests by kind: PUT, HEAD, GET, LIST, DELETE, and the steps of a multipart upload apart. */
    static Map<String, Integer> kinds(List<HttpRequestRelay.Request> requests) {
        Map<String, Integer> kinds = new TreeMap<>();
        for (HttpRequestRelay.Request r : requests) {
            String kind;
            if (r.target().contains("list-type=2")) {
                kind = "LIST";
            } else if (r.target().contains("uploads") || r.target().contains("uploadId=")) {
                kind = "MULTIPART " + r.method();
            } else {
                kind = r.method();
            }
            kinds.merge(kind, 1, Integer::sum);
        }
        return kinds;
    }
}
