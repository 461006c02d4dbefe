package io.tieredarchive.source.copy;

import io.tieredarchive.source.BucketCopySourceConfig;
import io.tieredarchive.source.BucketCopySourceConnector;
import io.tieredarchive.source.BucketCopySourceTask;
import io.tieredarchive.source.CopyEvents;
import io.tieredarchive.source.TaskConverters;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bucket copy is S3-only and keeps S3 inside this package (docs/architecture.md): the connector's classes see
 * no SDK type, and within the package only {@link S3Failures} reads the SDK's exceptions, so that the copy's
 * failure vocabulary lives in one class. Checked on the compiled classes: a class's constant pool names every
 * class it refers to.
 */
class CopyPackageBoundaryTest {

    private static final String SDK = "software/amazon/awssdk/";
    private static final List<String> SDK_EXCEPTIONS = List.of("software/amazon/awssdk/services/s3/model/S3Exception",
            "software/amazon/awssdk/core/exception/", "software/amazon/awssdk/awscore/exception/");

    @Test
    void theConnectorsClassesDoNotTouchTheSdk() throws IOException {
        for (Class<?> c : List.of(BucketCopySourceConnector.class, BucketCopySourceTask.class,
                BucketCopySourceConfig.class, CopyEvents.class, TaskConverters.class)) {
            for (Path file : classFiles(c)) {
                assertTrue(!constantPool(file).contains(SDK), file + " refers to the AWS SDK");
            }
        }
    }

    @Test
    void onlyS3FailuresReadsTheSdksExceptions() throws IOException {
        List<String> readers = new ArrayList<>();
        Path dir = classDirectory(S3Failures.class);
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                String pool = constantPool(file);
                if (SDK_EXCEPTIONS.stream().anyMatch(pool::contains)) {
                    readers.add(file.getFileName().toString().replaceAll("\\$.*", "").replace(".class", ""));
                }
            }
        }
        assertEquals(List.of("S3Failures"), readers.stream().distinct().toList());
    }

    /** The class file of {@code c} and of its nested classes. */
    private static List<Path> classFiles(Class<?> c) throws IOException {
        String simple = c.getSimpleName();
        try (Stream<Path> files = Files.list(classDirectory(c))) {
            return files.filter(f -> f.getFileName().toString().equals(simple + ".class")
                    || f.getFileName().toString().startsWith(simple + "$")).toList();
        }
    }

    private static Path classDirectory(Class<?> c) {
        try {
            Path root = Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
            return root.resolve(c.getPackageName().replace('.', '/'));
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException("Cannot find the class files of " + c, e);
        }
    }

    /** The class file as Latin-1 text: class names in its constant pool are plain ASCII there. */
    private static String constantPool(Path classFile) throws IOException {
        return new String(Files.readAllBytes(classFile), StandardCharsets.ISO_8859_1);
    }
}
