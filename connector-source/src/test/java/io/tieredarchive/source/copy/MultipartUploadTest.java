package io.tieredarchive.source.copy;

import io.tieredarchive.config.S3Connection;
import io.tieredarchive.s3.S3ClientFactory;
import io.tieredarchive.testing.Closing;
import io.tieredarchive.testing.S3ProxyServer;
import io.tieredarchive.testing.S3TestConnections;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A multipart upload on a real S3 server (S3Proxy): an upload of the same key left open by a task that died (a
 * worker killed with SIGKILL cannot abort it) is aborted when the object is copied again, so no orphan parts stay
 * behind; uploads of other keys, even ones the key is a prefix of, are left alone.
 */
class MultipartUploadTest {

    @TempDir
    static Path tmp;
    static S3ProxyServer s3;
    static S3Connection connection;
    static S3AsyncClient client;
    static ExecutorService parts;

    @BeforeAll
    static void start() {
        s3 = S3ProxyServer.startIn(tmp);
        connection = S3TestConnections.create(s3, "dest");
        client = S3ClientFactory.asyncClient(connection);
        parts = Executors.newFixedThreadPool(2);
    }

    @AfterAll
    static void stop() throws Exception {
        Closing.closeAll(parts::shutdownNow, client, s3);
    }

    @Test
    void anUploadLeftOpenByADeadTaskIsAbortedWhenTheObjectIsCopiedAgain() throws Exception {
        String key = "copied/big.bin";
        String orphan = client.createMultipartUpload(b -> b.bucket("dest").key(key)).join().uploadId();
        client.uploadPart(b -> b.bucket("dest").key(key).uploadId(orphan).partNumber(1),
                AsyncRequestBody.fromBytes(new byte[1024])).join();
        String other = client.createMultipartUpload(b -> b.bucket("dest").key(key + ".other")).join().uploadId();

        byte[] content = new byte[3000];
        Arrays.fill(content, (byte) 7);
        ObjectJob job = new ObjectJob(new SourceObject("data/big.bin", content.length, "etag", null), key);
        new MultipartUpload(client, connection, parts).run(job,
                CreateMultipartUploadRequest.builder().bucket("dest").key(key).build(),
                PartPlan.of(content.length, content.length), (uploadId, part) -> {
                    String etag = client.uploadPart(b -> b.bucket("dest").key(key).uploadId(uploadId)
                            .partNumber(part.number()), AsyncRequestBody.fromBytes(content)).join().eTag();
                    return CompletedPart.builder().partNumber(part.number()).eTag(etag).build();
                });

        assertEquals(List.of(other), client.listMultipartUploads(b -> b.bucket("dest")).join().uploads().stream()
                .map(u -> u.uploadId()).toList(), "the orphan of the key is gone, the other key's upload stays");
        assertArrayEquals(content, client.getObject(b -> b.bucket("dest").key(key),
                AsyncResponseTransformer.toBytes()).join().asByteArray());
    }
}
