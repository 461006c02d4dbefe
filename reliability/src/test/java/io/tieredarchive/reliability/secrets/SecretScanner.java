package io.tieredarchive.reliability.secrets;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.stream.Stream;

/**
 * Searches what a build logged for secrets: in every module of the reactor, the test reports' text files
 * ({@code target/surefire-reports/*.txt}, {@code target/failsafe-reports/*.txt}, which hold each test class's
 * captured stdout and stderr in {@code *-output.txt}) and the child processes' logs ({@code target/child-logs/**},
 * see {@code io.tieredarchive.testing.ChildLogs}). Only logs and output: sources and the fixtures' own config files
 * hold the test secrets legitimately.
 */
public final class SecretScanner {

    /** The report directories of a module's target whose {@code *.txt} files are searched. */
    static final List<String> REPORT_DIRS = List.of("surefire-reports", "failsafe-reports");
    static final String CHILD_LOGS = "child-logs";

    private SecretScanner() {
    }

    /** A secret found: where, and which one (never the line itself, which would repeat the secret). */
    public record Hit(Path file, int line, String secret) {
        @Override
        public String toString() {
            return file + ":" + line + " holds the secret '" + mask(secret) + "'";
        }
    }

    /** The secret with all but its first three characters masked. */
    public static String mask(String secret) {
        return secret.length() <= 3 ? "***" : secret.substring(0, 3) + "*".repeat(secret.length() - 3);
    }

    /** The files to search under a reactor root: each module's reports and child logs. */
    public static List<Path> logFiles(Path reactorRoot) {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> modules = Files.list(reactorRoot)) {
            for (Path target : modules.map(m -> m.resolve("target")).filter(Files::isDirectory).sorted().toList()) {
                for (String reports : REPORT_DIRS) {
                    files.addAll(walk(target.resolve(reports), 1, ".txt"));
                }
                files.addAll(walk(target.resolve(CHILD_LOGS), Integer.MAX_VALUE, ""));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    private static List<Path> walk(Path dir, int depth, String suffix) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dir, depth)) {
            return s.filter(Files::isRegularFile).filter(p -> p.getFileName().toString().endsWith(suffix))
                    .sorted().toList();
        }
    }

    /** Every line of {@code files} that holds one of {@code secrets}. */
    public static List<Hit> scan(Collection<Path> files, Collection<String> secrets) {
        List<Hit> hits = new ArrayList<>();
        for (Path file : files) {
            // Logs may hold any bytes (binary payloads printed by a failing test): decode leniently.
            var decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE);
            try (BufferedReader in = new BufferedReader(new java.io.InputStreamReader(Files.newInputStream(file),
                    decoder))) {
                int n = 0;
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    n++;
                    for (String secret : secrets) {
                        if (line.contains(secret)) {
                            hits.add(new Hit(file, n, secret));
                        }
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read " + file, e);
            }
        }
        return hits;
    }
}
