package io.tieredarchive.compat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * What each worker version ran, written to {@code compat/target/compat-matrix.md} as a Markdown table row per
 * version (the support matrix of the docs is taken from it): the checks that passed, and the failure if any.
 */
public final class CompatMatrix {

    private static final Path FILE = Path.of(System.getProperty("project.root", "..")).toAbsolutePath().normalize()
            .resolve("compat/target/compat-matrix.md");

    private CompatMatrix() {
    }

    /** The outcome for one worker version. */
    public static final class Row {
        private final String version;
        private final List<String> passed = new ArrayList<>();
        private String failure;

        public Row(String version) {
            this.version = version;
        }

        public void passed(String check) {
            passed.add(check);
        }

        public void failed(Throwable e) {
            String message = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
            message = message.length() > 300 ? message.substring(0, 300) + "..." : message;
            failure = e.getClass().getSimpleName() + ": " + message.replace("|", "\\|");
        }
    }

    public static synchronized void record(Row row) {
        try {
            Files.createDirectories(FILE.getParent());
            if (!Files.exists(FILE)) {
                Files.writeString(FILE, "Run " + LocalDate.now() + ", Java " + System.getProperty("java.version")
                        + "\n\n| worker | passed | result |\n|---|---|---|\n", StandardCharsets.UTF_8);
            }
            String line = "| " + row.version + " | " + String.join("; ", row.passed) + " | "
                    + (row.failure == null ? "passed" : "FAILED: " + row.failure) + " |\n";
            Files.writeString(FILE, line, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
