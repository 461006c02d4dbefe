package io.tieredarchive.reliability.secrets.integration;

import io.tieredarchive.reliability.secrets.SecretScanner;
import io.tieredarchive.reliability.secrets.Secrets;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The build's last test: searches what every module's tests logged and printed (reports' text files, child
 * processes' logs) for every secret the tests configure. reliability/pom.xml runs it in a failsafe execution of its
 * own after every other test of the build (this module is last in the reactor, this execution after its
 * integration tests). The scanner itself is tested on planted lines by {@code SecretScannerTest}.
 */
class SecretsInBuildLogsIT {

    @Test
    void noSecretInAnyLogOfTheBuild() {
        Path root = Path.of(System.getProperty("reactor.root", "..")).toAbsolutePath().normalize();
        assertTrue(Files.isRegularFile(root.resolve("pom.xml")) && Files.isDirectory(root.resolve("reliability")),
                root + " is not the reactor root");
        List<Path> files = SecretScanner.logFiles(root);
        assertTrue(files.stream().anyMatch(f -> f.toString().contains("reliability")),
                "this module's own reports are there to search: " + files.size() + " files");
        List<SecretScanner.Hit> hits = SecretScanner.scan(files, Secrets.all());
        System.out.println("Searched " + files.size() + " log files of " + root + " for " + Secrets.all().size()
                + " secrets: " + hits.size() + " hit(s)");
        assertTrue(hits.isEmpty(), hits.size() + " line(s) of the build's logs hold a secret:\n"
                + hits.stream().map(SecretScanner.Hit::toString).collect(Collectors.joining("\n")));
    }
}
