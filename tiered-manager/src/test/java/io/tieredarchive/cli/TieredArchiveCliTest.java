package io.tieredarchive.cli;

import io.tieredarchive.segment.SegmentOrigin;
import io.tieredarchive.segment.ArchivedRecord;
import io.tieredarchive.segment.SegmentException;
import io.tieredarchive.segment.SegmentFiles;
import io.tieredarchive.segment.SegmentReader;
import io.tieredarchive.segment.SegmentWriter;
import io.tieredarchive.segment.SegmentWriterOptions;
import io.tieredarchive.testing.S3ProxyServer;
import io.tieredarchive.testing.S3TestConnections;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code tiered-archive} commands, their output and exit codes, on a directory bucket and on S3Proxy. */
class TieredArchiveCliTest {

    private static final long T0 = 1_700_000_000_000L;

    @TempDir
    Path tempDir;
    private Path local;
    private Path bucket;

    record Result(int code, String out, String err) {
    }

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = TieredArchiveCli.run(new PrintWriter(out), new PrintWriter(err), args);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void aMistypedSecretOnTheCommandLineIsNotRepeated() {
        Result colon = run("ls", "--set", "s3.secret.access.key:typed-secret-value");
        assertEquals(ExitCodes.USAGE, colon.code());
        assertTrue(colon.err().contains("should be in KEY=VALUE format but was s3.secret.access.key:[hidden]"),
                colon.err());
        Result prefixed = run("ls", "--set", "destination.s3.secret.access.key:other-typed-secret", "--nope");
        assertEquals(ExitCodes.USAGE, prefixed.code());
        for (Result r : List.of(colon, prefixed)) {
            assertFalse((r.out() + r.err()).contains("typed-secret"), "a secret in the output: " + r);
        }
        assertTrue(run("ls", "--bogus").err().contains("Unknown option: '--bogus'"), "other errors unchanged");
    }

    private Result runOnBucket(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--bucket-dir");
        all.add(bucket.toString());
        return run(all.toArray(String[]::new));
    }

    private void seal(String topic, int partition, long base, int count) throws SegmentException {
        seal(local, topic, partition, base, count, SegmentOrigin.UNKNOWN);
    }

    private void seal(Path into, String topic, int partition, long base, int count, SegmentOrigin origin)
            throws SegmentException {
        Path dir = into.resolve(topic + "-" + partition);
        try (SegmentWriter w = SegmentWriter.create(dir, topic, partition, base,
                new SegmentWriterOptions("zstd", null, 4096, "cli-test", origin))) {
            for (long o = base; o < base + count; o++) {
                w.append(new ArchivedRecord(o, T0 + o, TimestampType.CREATE_TIME,
                        ("k" + o).getBytes(StandardCharsets.UTF_8), ("value " + o).getBytes(StandardCharsets.UTF_8),
                        new Header[0]));
            }
            w.seal(T0);
        }
    }

    @BeforeEach
    void archiveSomething() throws Exception {
        local = tempDir.resolve("local");
        bucket = tempDir.resolve("bucket");
        seal("orders", 0, 0, 100);
        seal("orders", 0, 100, 100);
        seal("orders", 1, 0, 50);
        Result r = runOnBucket("archive", "--local-dir", local.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("uploaded 3 segment(s)"), r.out());
    }

    @Test
    void lsListsTopicsPartitionsAndSegments() {
        assertEquals("orders", runOnBucket("ls").out().strip());
        Result partitions = runOnBucket("ls", "orders");
        assertEquals(List.of("#incarnation\tcreated\tpartition\tsegments\tstartOffset\tendOffset",
                "legacy\t-\t0\t2\t0\t200", "legacy\t-\t1\t1\t0\t50"), partitions.out().lines().toList());
        List<String> segments = runOnBucket("ls", "orders", "0").out().lines().toList();
        assertEquals(3, segments.size());
        assertTrue(segments.get(2).startsWith("legacy\t100\t199\t100\t2023-11-14T22:13:20.100Z\t"),
                segments.get(2));
        assertTrue(segments.get(2).endsWith("\tzstd\tcli-test"), segments.get(2));
    }

    @Test
    void statsSumsEveryPartition() {
        List<String> lines = runOnBucket("stats").out().lines().toList();
        assertEquals(4, lines.size(), lines.toString());
        assertTrue(lines.get(1).startsWith("orders\tlegacy\t0\t2\t200\t"), lines.get(1));
        assertTrue(lines.get(3).startsWith("#total\t2 partition(s)\t3\t250\t"), lines.get(3));
    }

    @Test
    void dumpPrintsRecordsFromAnOffsetOrATime() {
        Result r = runOnBucket("dump", "orders", "0", "--from-offset", "98", "-n", "3", "--print-values");
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of(
                "offset: 98 CreateTime: 1700000000098 keySize: 3 valueSize: 8 headers: 0 key: k98 value: value 98",
                "offset: 99 CreateTime: 1700000000099 keySize: 3 valueSize: 8 headers: 0 key: k99 value: value 99",
                "offset: 100 CreateTime: 1700000000100 keySize: 4 valueSize: 9 headers: 0 key: k100 value: value 100"),
                r.out().lines().toList());
        Result byTime = runOnBucket("dump", "orders", "0", "--from-time", "2023-11-14T22:13:20.150Z", "-n", "1");
        assertTrue(byTime.out().startsWith("offset: 150 "), byTime.out());
        assertEquals("0x00ff", DumpCommand.text(new byte[] {0, (byte) 0xff}));
    }

    @Test
    void restoreWritesKafkaSegmentFiles() throws Exception {
        Path out = tempDir.resolve("restored");
        Result r = runOnBucket("restore", "orders", "0", "--from-offset", "150", "-o", out.toString(),
                "--no-progress");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("restored 1 segment(s)"), r.out());
        try (SegmentReader reader = SegmentReader.open(SegmentFiles.of(out.resolve("orders-0"), 100))) {
            Iterator<ArchivedRecord> it = reader.recordsFrom(150);
            assertEquals(150, it.next().offset());
        }
        Result all = runOnBucket("restore", "orders", "0", "-o", out.toString());
        assertEquals(0, all.code(), all.err());
        assertTrue(all.out().contains("restored 2 segment(s)"), all.out());
    }

    @Test
    void verifyPassesThenNamesWhatIsWrong() throws Exception {
        Result ok = runOnBucket("verify");
        assertEquals(0, ok.code(), ok.out() + ok.err());
        assertTrue(ok.out().contains("OK orders-0: 2 segment(s), 200 record(s), 0 error(s), 0 warning(s)"), ok.out());

        Path log;
        try (Stream<Path> files = Files.walk(bucket.resolve("orders/0"))) {
            log = files.filter(p -> p.toString().endsWith("00000000000000000100-cli-test.log")).findFirst()
                    .orElseThrow();
        }
        try (FileChannel ch = FileChannel.open(log, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {9, 9, 9}), 100);
        }
        Files.writeString(bucket.resolve("orders/0/00000000000000000200-zombie.log"), "torn");
        Result bad = runOnBucket("verify", "orders");
        assertEquals(ExitCodes.PROBLEMS, bad.code(), bad.out());
        assertTrue(bad.out().contains("ERROR orders-0: Corrupt segment data in ") && bad.out().contains(
                "orders/0/00000000000000000100-cli-test.log"), bad.out());
        assertTrue(bad.out().contains("WARN orders-0: torn upload: orders/0/00000000000000000200-zombie.log"),
                bad.out());
        assertTrue(bad.out().contains("OK orders-1"), bad.out());
        assertEquals(0, runOnBucket("verify", "--quick").code(), "--quick trusts the objects' metadata");
    }

    @Test
    void rebuildManifestRewritesEachPartition() {
        Result r = runOnBucket("rebuild-manifest", "orders");
        assertEquals(List.of("orders-0: 2 segment(s)", "orders-1: 1 segment(s)"), r.out().lines().toList());
    }

    @Test
    void badUsageExitsWithTwoNamingTheProblem() {
        Result missing = runOnBucket("restore", "orders");
        assertEquals(ExitCodes.USAGE, missing.code());
        assertTrue(missing.err().contains("PARTITION"), missing.err());
        Result noBucket = run("ls");
        assertEquals(ExitCodes.USAGE, noBucket.code());
        assertTrue(noBucket.err().contains("s3.bucket"), noBucket.err());
        Result noLocal = runOnBucket("archive");
        assertEquals(ExitCodes.USAGE, noLocal.code());
        assertTrue(noLocal.err().contains("local.dir"), noLocal.err());
    }

    /** A bucket that does not exist is a configuration error (2) naming the bucket, never an empty archive. */
    @Test
    void aMissingBucketExitsWithTwoNamingTheBucket() throws Exception {
        try (S3ProxyServer s3 = S3ProxyServer.startIn(tempDir)) {
            Path config = tempDir.resolve("missing.properties");
            Files.writeString(config, String.join("\n", "s3.bucket=no-such-bucket", "s3.endpoint=" + s3.endpoint(),
                    "s3.path.style.access=true", "s3.access.key.id=" + s3.accessKey(),
                    "s3.secret.access.key=" + s3.secretKey(), "s3.retry.max.attempts=1"));
            for (String command : List.of("ls", "stats", "verify")) {
                Result missing = run(command, "-c", config.toString());
                assertEquals(ExitCodes.USAGE, missing.code(), command + ": " + missing.out() + missing.err());
                assertTrue(missing.err().contains("'no-such-bucket' does not exist")
                        && missing.err().contains("check s3.bucket"), command + ": " + missing.err());
            }
        }
    }

    @Test
    void againstS3NoCredentialEverPrintsAndAnOutageExitsWithThree() throws Exception {
        try (S3ProxyServer s3 = S3ProxyServer.startIn(tempDir)) {
            S3TestConnections.create(s3, "cli");
            Path config = tempDir.resolve("s3.properties");
            Files.writeString(config, String.join("\n", "s3.bucket=cli", "s3.prefix=archive/", "s3.endpoint="
                    + s3.endpoint(), "s3.path.style.access=true", "s3.access.key.id=" + s3.accessKey(),
                    "s3.secret.access.key=" + s3.secretKey(), "s3.retry.max.attempts=1", "local.dir=" + local));
            try (Stream<Path> files = Files.walk(local)) { // tiered to the directory bucket already: forget it
                for (Path tiered : files.filter(p -> p.toString().endsWith(".tiered")).toList()) {
                    Files.delete(tiered);
                }
            }
            Result archived = run("archive", "-c", config.toString());
            assertEquals(0, archived.code(), archived.err());
            assertTrue(archived.out().contains("uploaded 3 segment(s)"), archived.out());
            Result verified = run("verify", "-c", config.toString());
            assertEquals(0, verified.code(), verified.out() + verified.err());
            assertTrue(verified.out().contains("OK orders-1"), verified.out());
            // The secret as a placeholder of a config provider that the same file declares, as on a worker.
            Path secretFile = Files.writeString(tempDir.resolve("secret.properties"), "secret=" + s3.secretKey());
            Path withProvider = Files.writeString(tempDir.resolve("provider.properties"),
                    Files.readString(config).replace("s3.secret.access.key=" + s3.secretKey(),
                            "s3.secret.access.key=${file:" + secretFile + ":secret}")
                            + "\nconfig.providers=file\nconfig.providers.file.class="
                            + "org.apache.kafka.common.config.provider.FileConfigProvider\n");
            Result resolved = run("ls", "-c", withProvider.toString());
            assertEquals(0, resolved.code(), resolved.err());
            assertTrue(resolved.out().contains("orders"), resolved.out());
            Result wrongSecret = run("ls", "-c", config.toString(), "--set", "s3.secret.access.key=not-the-secret");
            assertEquals(ExitCodes.STORAGE, wrongSecret.code());
            s3.stop();
            Result down = run("stats", "-c", config.toString());
            assertEquals(ExitCodes.STORAGE, down.code());
            assertTrue(down.err().contains("s3://cli/"), down.err());
            for (Result r : List.of(archived, verified, resolved, wrongSecret, down)) {
                assertFalse((r.out() + r.err()).contains(s3.secretKey()), "the secret in the output: " + r);
                assertFalse((r.out() + r.err()).contains("not-the-secret"), "a secret in the output: " + r);
            }
        }
    }

    @Test
    void incarnationsAreListedReadAndVerifiedApart() throws Exception {
        SegmentOrigin first = new SegmentOrigin("cluster-a", "topic-1", 0, null);
        SegmentOrigin second = new SegmentOrigin("cluster-a", "topic-2", 0, null);
        Path one = tempDir.resolve("first-life");
        Path two = tempDir.resolve("second-life");
        seal(one, "orders", 0, 0, 30, first);
        seal(two, "orders", 0, 0, 20, second);
        assertEquals(0, runOnBucket("archive", "--local-dir", one.toString()).code());
        assertEquals(0, runOnBucket("archive", "--local-dir", two.toString()).code());

        List<String> lines = runOnBucket("ls", "orders").out().lines().toList();
        assertEquals(5, lines.size(), lines.toString());
        assertTrue(lines.get(1).startsWith("legacy\t-\t0\t2\t0\t200"), lines.toString());
        assertTrue(lines.get(3).startsWith("cluster-a.topic-1\t") && lines.get(3).endsWith("\t0\t1\t0\t30"),
                lines.toString());
        assertTrue(lines.get(4).startsWith("cluster-a.topic-2\t") && lines.get(4).endsWith("\t0\t1\t0\t20"),
                lines.toString());

        Result latest = runOnBucket("dump", "orders", "0", "--print-values");
        assertEquals(20, latest.out().lines().count(), "the newest incarnation by default: " + latest.out());
        Result named = runOnBucket("dump", "orders", "0", "--incarnation", "cluster-a.topic-1");
        assertEquals(30, named.out().lines().count(), named.out());
        Result legacy = runOnBucket("dump", "orders", "0", "--incarnation", "legacy");
        assertEquals(200, legacy.out().lines().count());
        Result unknown = runOnBucket("dump", "orders", "0", "--incarnation", "nope");
        assertEquals(ExitCodes.USAGE, unknown.code(), unknown.err());
        assertTrue(unknown.err().contains("cluster-a.topic-2"), "names the incarnations there are: " + unknown.err());

        Result verify = runOnBucket("verify", "orders", "0");
        assertEquals(0, verify.code(), verify.out() + verify.err());
        assertEquals(3, verify.out().lines().filter(l -> l.startsWith("OK ")).count(), verify.out());
    }
}
