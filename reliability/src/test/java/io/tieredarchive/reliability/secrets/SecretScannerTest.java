package io.tieredarchive.reliability.secrets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The scanner finds a secret planted in each kind of log it searches, and only in logs. */
class SecretScannerTest {

    private static final String PLANTED = "planted-s3cret-for-the-scanner";

    @TempDir
    Path root;

    @Test
    void findsAPlantedSecretInReportsAndChildLogsWithFileAndLine() throws Exception {
        Path module = root.resolve("some-module").resolve("target");
        write(module.resolve("surefire-reports/io.x.FooTest-output.txt"), "INFO ok\nWARN key=" + PLANTED + " oops\n");
        write(module.resolve("failsafe-reports/io.x.BarIT.txt"), "no\nno\n" + PLANTED + "\n");
        write(module.resolve("child-logs/1a2b-worker.log"), "[main] ERROR x" + PLANTED);
        write(module.resolve("child-logs/nested/s3proxy.log"), "fine");
        // Not logs: a fixture's config, a source, a class file, an XML report. Never searched.
        write(module.resolve("s3proxy/s3proxy.properties"), "s3proxy.credential=" + PLANTED);
        write(root.resolve("some-module/src/test/java/X.java"), "String s = \"" + PLANTED + "\";");
        write(module.resolve("failsafe-reports/TEST-io.x.BarIT.xml"), PLANTED);

        List<Path> files = SecretScanner.logFiles(root);
        assertEquals(4, files.size(), files.toString());
        List<SecretScanner.Hit> hits = SecretScanner.scan(files, List.of(PLANTED, "absent-secret"));
        assertEquals(List.of("child-logs/1a2b-worker.log:1", "failsafe-reports/io.x.BarIT.txt:3",
                "surefire-reports/io.x.FooTest-output.txt:2"), hits.stream()
                .map(h -> module.relativize(h.file()) + ":" + h.line()).sorted().toList());
        assertTrue(hits.stream().allMatch(h -> h.secret().equals(PLANTED)));
        assertFalse(hits.get(0).toString().contains(PLANTED), "a hit never repeats the secret: " + hits.get(0));
    }

    @Test
    void aBuildWithoutLeaksHasNoHits() throws Exception {
        write(root.resolve("m/target/surefire-reports/A-output.txt"), "INFO s3.secret.access.key = [hidden]\n");
        assertEquals(List.of(), SecretScanner.scan(SecretScanner.logFiles(root), List.of(PLANTED)));
    }

    private static void write(Path file, String content) throws Exception {
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }
}
