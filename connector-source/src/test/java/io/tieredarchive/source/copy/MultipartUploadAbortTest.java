package io.tieredarchive.source.copy;

import io.tieredarchive.config.S3Connection;
import org.apache.kafka.common.config.types.Password;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsRequest;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsResponse;
import software.amazon.awssdk.services.s3.model.ListPartsRequest;
import software.amazon.awssdk.services.s3.model.ListPartsResponse;
import software.amazon.awssdk.services.s3.model.NoSuchUploadException;
import software.amazon.awssdk.services.s3.model.Part;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The abort of a failed multipart upload, against a fake S3 client that records the order of events: a part
 * writer still busy when another part fails must have returned before the upload is aborted (else its part could
 * land after the abort and stay behind, billed), and an abort that still lists parts is repeated.
 */
class MultipartUploadAbortTest {

    private final ExecutorService partPool = Executors.newFixedThreadPool(2);
    private final List<String> events = new CopyOnWriteArrayList<>();

    @AfterEach
    void shutDown() {
        partPool.shutdownNow();
    }

    @Test
    void abortsOnlyAfterEveryPartWriterHasReturned() throws Exception {
        FakeS3 s3 = new FakeS3(0);
        CountDownLatch slowStarted = new CountDownLatch(1);
        MultipartUpload upload = new MultipartUpload(s3, connection(), partPool);
        PartPlan plan = PartPlan.of(10L * 1024 * 1024, 5L * 1024 * 1024);
        CopyException failure = assertThrows(CopyException.class, () -> upload.run(job(), create(), plan,
                (uploadId, part) -> {
                    if (part.number() == 1) {
                        slowStarted.countDown();
                        busyIgnoringInterrupts(300);
                        events.add("part 1 sent");
                        return CompletedPart.builder().partNumber(1).eTag("\"e1\"").build();
                    }
                    slowStarted.await();
                    throw new CopyException(CopyException.Kind.SOURCE_GONE, "deleted while copied");
                }));
        assertEquals(CopyException.Kind.SOURCE_GONE, failure.kind());
        assertEquals(List.of("part 1 sent", "abort"), events.subList(0, 2), events.toString());
    }

    @Test
    void repeatsTheAbortWhileTheStoreStillListsParts() throws Exception {
        FakeS3 s3 = new FakeS3(1);
        MultipartUpload upload = new MultipartUpload(s3, connection(), partPool);
        PartPlan plan = PartPlan.of(10L * 1024 * 1024, 5L * 1024 * 1024);
        assertThrows(CopyException.class, () -> upload.run(job(), create(), plan, (uploadId, part) -> {
            throw new CopyException(CopyException.Kind.TRANSIENT, "boom");
        }));
        assertEquals(2, s3.aborts.get(), events.toString());
    }

    /** A write that goes on regardless of interrupts, like a blocking socket read that has its bytes coming. */
    private static void busyIgnoringInterrupts(long millis) {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }

    private static ObjectJob job() {
        return new ObjectJob(new SourceObject("big.bin", 10L * 1024 * 1024, "\"etag\"", null), "copy/big.bin");
    }

    private static CreateMultipartUploadRequest create() {
        return CreateMultipartUploadRequest.builder().bucket("dest").key("copy/big.bin").build();
    }

    private static S3Connection connection() {
        return new S3Connection("dest", "", "us-east-1", "http://127.0.0.1:1", true, "key",
                new Password("secret"), S3Connection.ChecksumMode.WHEN_SUPPORTED, null, S3Connection.Sse.NONE, null,
                5L * 1024 * 1024, 4, 3);
    }

    /** Creates uploads and records aborts; ListParts shows a late part for the first {@code lateParts} aborts. */
    private final class FakeS3 implements S3AsyncClient {
        final AtomicInteger aborts = new AtomicInteger();
        private final int lateParts;

        FakeS3(int lateParts) {
            this.lateParts = lateParts;
        }

        @Override
        public CompletableFuture<CreateMultipartUploadResponse> createMultipartUpload(
                CreateMultipartUploadRequest request) {
            return CompletableFuture.completedFuture(CreateMultipartUploadResponse.builder().uploadId("u1").build());
        }

        @Override
        public CompletableFuture<ListMultipartUploadsResponse> listMultipartUploads(
                Consumer<ListMultipartUploadsRequest.Builder> request) {
            return CompletableFuture.completedFuture(ListMultipartUploadsResponse.builder().build());
        }

        @Override
        public CompletableFuture<AbortMultipartUploadResponse> abortMultipartUpload(
                Consumer<AbortMultipartUploadRequest.Builder> request) {
            aborts.incrementAndGet();
            events.add("abort");
            return CompletableFuture.completedFuture(AbortMultipartUploadResponse.builder().build());
        }

        @Override
        public CompletableFuture<ListPartsResponse> listParts(Consumer<ListPartsRequest.Builder> request) {
            if (aborts.get() <= lateParts) {
                return CompletableFuture.completedFuture(ListPartsResponse.builder()
                        .parts(Part.builder().partNumber(1).build()).build());
            }
            return CompletableFuture.failedFuture(NoSuchUploadException.builder().statusCode(404).build());
        }

        @Override
        public String serviceName() {
            return "s3";
        }

        @Override
        public void close() {
        }
    }
}
