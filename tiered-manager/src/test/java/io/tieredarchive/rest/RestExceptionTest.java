package io.tieredarchive.rest;

import io.tieredarchive.segment.CorruptSegmentException;
import io.tieredarchive.tier.storage.FileSystemStorageBackend;
import io.tieredarchive.tier.storage.StorageBackend;
import io.tieredarchive.tier.storage.StorageException;
import jakarta.ws.rs.core.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A failure of the store answers with the status of its kind: 503 when trying again may help, else 500. */
class RestExceptionTest {

    @TempDir
    Path tempDir;

    @Test
    void aMissingBucketIs500NamingItAndWhatToCheck() throws Exception {
        Path folder = tempDir.resolve("bucket");
        try (StorageBackend store = new FileSystemStorageBackend(folder)) {
            try (Stream<Path> walk = Files.walk(folder)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
            StorageException missing = assertThrows(StorageException.class, () -> store.list("t/0/", null, 10));
            Response response = RestException.storeFailure(missing);
            assertEquals(500, response.getStatus());
            String message = String.valueOf(((Map<?, ?>) response.getEntity()).get("message"));
            assertTrue(message.contains(folder.toString()) && message.contains("check s3.bucket"), message);
        }
    }

    @Test
    void whatMayPassIs503AndCorruptDataIs500() {
        assertEquals(503, RestException.storeFailure(new StorageException("S3 list s3://b/t/ failed: reset"))
                .getStatus());
        assertEquals(500, RestException.storeFailure(new CorruptSegmentException("s3://b/t/0/1.log", 61, "CRC"))
                .getStatus());
    }
}
