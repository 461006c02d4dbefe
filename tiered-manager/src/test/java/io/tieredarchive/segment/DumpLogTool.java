package io.tieredarchive.segment;

import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.tools.DumpLogSegments;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs Kafka's kafka-dump-log.sh ({@link DumpLogSegments}) in this JVM and captures what it prints. */
final class DumpLogTool {

    record Output(String out, String err) {
    }

    private DumpLogTool() {
    }

    /** Runs the tool; its calls to Exit (on bad arguments) fail the test instead of ending the JVM. */
    static synchronized Output run(String... args) throws IOException {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Exit.setExitProcedure((code, message) -> {
            throw new AssertionError("DumpLogSegments exited with code " + code + ": " + message);
        });
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            DumpLogSegments.main(args);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
            Exit.resetExitProcedure();
        }
        return new Output(out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Verifies {@code files}' .index and .timeindex against its .log; returns what the tool reported on stderr. */
    static String verifyIndexes(SegmentFiles files) throws IOException {
        return run("--files", files.offsetIndex() + "," + files.timeIndex(), "--verify-index-only").err();
    }
}
