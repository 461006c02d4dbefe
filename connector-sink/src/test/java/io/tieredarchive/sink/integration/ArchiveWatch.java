package io.tieredarchive.sink.integration;

import io.tieredarchive.segment.SegmentException;
import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.sink.ArchiveContents;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Watches a sink's archive of one topic while it runs, every 200 ms, and records any breach of the two promises of
 * the S3 tier (shared with the reliability suite through this module's test-jar):
 * <ul>
 *   <li>a committed offset never passes the end of what S3 holds without a gap from offset 0 (with
 *       {@code commit.mode=remote});</li>
 *   <li>a local segment is never deleted before its marker is in S3.</li>
 * </ul>
 * It reads S3 through S3Proxy's files ({@code bucketDir}), so it keeps checking while the S3 server is stopped.
 * Each check reads Kafka or the local disk first and S3 second: S3 only grows, so a later look can only help.
 */
public final class ArchiveWatch implements AutoCloseable {

    /** A marker's file name: {@code <base>-<writer>.json} (legacy layout) or {@code <base>.json} in a segment folder. */
    private static final Pattern MARKER = Pattern.compile("\\d{20}(-.+)?\\.json");

    private final Admin admin;
    private final String group;
    private final Path localDir;
    private final Path bucketDir;
    private final String topic;
    private final boolean remoteCommit;
    private final Thread thread;
    private final List<String> breaches = new ArrayList<>();
    /** Local segments seen ("partition/base"), and those seen and later gone. */
    private final Set<String> seenLocal = new HashSet<>();
    private final Set<String> deletedLocal = new HashSet<>();
    private volatile boolean stopped;
    private volatile int checks;
    private volatile int commitsChecked;

    public ArchiveWatch(Admin admin, String connector, Path localDir, Path bucketDir, String topic, boolean remoteCommit) {
        this.admin = admin;
        this.group = "connect-" + connector;
        this.localDir = localDir;
        this.bucketDir = bucketDir;
        this.topic = topic;
        this.remoteCommit = remoteCommit;
        this.thread = new Thread(this::run, "archive-watch-" + topic);
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        while (!stopped) {
            try {
                check();
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                synchronized (this) {
                    breaches.add("watch failed: " + e);
                }
                return;
            }
        }
    }

    private void check() throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = remoteCommit
                ? admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS)
                : Map.of();
        Set<String> local = localSegments();
        Map<Integer, List<SegmentMetadata>> remote = remoteMarkers(bucketDir, topic);
        Set<String> inS3 = new HashSet<>();
        remote.forEach((p, metas) -> metas.forEach(m -> inS3.add(p + "/" + m.baseOffset())));
        synchronized (this) {
            for (String gone : new ArrayList<>(seenLocal)) {
                if (!local.contains(gone) && deletedLocal.add(gone) && !inS3.contains(gone)) {
                    breaches.add("local segment " + gone + " was deleted but is not in S3, which holds " + inS3);
                }
            }
            seenLocal.addAll(local);
            committed.forEach((tp, offset) -> {
                if (tp.topic().equals(topic) && offset != null) {
                    long end = contiguousEnd(remote.getOrDefault(tp.partition(), List.of()));
                    if (offset.offset() > Math.max(end, 0)) {
                        breaches.add(tp + ": committed " + offset.offset() + " but S3 holds 0.." + end);
                    }
                    commitsChecked++;
                }
            });
            checks++;
        }
    }

    private Set<String> localSegments() throws IOException {
        Set<String> found = new HashSet<>();
        if (!Files.isDirectory(localDir)) {
            return found;
        }
        try (Stream<Path> dirs = Files.list(localDir)) {
            for (Path dir : dirs.filter(d -> Files.isDirectory(d)
                    && d.getFileName().toString().startsWith(topic + "-")).toList()) {
                String partition = dir.getFileName().toString().substring(topic.length() + 1);
                ArchiveContents.sealed(dir).forEach(f -> found.add(partition + "/" + f.baseOffset()));
            }
        }
        return found;
    }

    /**
     * The markers S3 holds for {@code topic}, by partition, read from S3Proxy's files. S3Proxy writes an object to
     * a temporary file and renames it, so a walk can meet a file that is gone the next moment: it starts over then.
     */
    public static Map<Integer, List<SegmentMetadata>> remoteMarkers(Path bucketDir, String topic) throws IOException {
        while (true) {
            try {
                return listMarkers(bucketDir.resolve(topic));
            } catch (UncheckedIOException | NoSuchFileException e) {
                if (!(e instanceof NoSuchFileException) && !(e.getCause() instanceof NoSuchFileException)) {
                    throw e;
                }
            }
        }
    }

    private static Map<Integer, List<SegmentMetadata>> listMarkers(Path topicDir) throws IOException {
        Map<Integer, List<SegmentMetadata>> markers = new TreeMap<>();
        if (!Files.isDirectory(topicDir)) {
            return markers;
        }
        try (Stream<Path> files = Files.walk(topicDir, 4)) { // <topic>/<incarnation>/<partition>/<segment>/<base>.json
            for (Path file : files.filter(f -> MARKER.matcher(f.getFileName().toString()).matches()).toList()) {
                try {
                    SegmentMetadata meta = SegmentMetadata.read(file);
                    markers.computeIfAbsent(meta.partition(), p -> new ArrayList<>()).add(meta);
                } catch (SegmentException beingWritten) {
                    // S3Proxy is still writing the object: it is not in S3 yet
                }
            }
        }
        markers.values().forEach(l -> l.sort(Comparator.comparingLong(SegmentMetadata::baseOffset)));
        return markers;
    }

    /** The offset up to which {@code markers} (sorted) cover a partition without a gap from offset 0; 0 if none. */
    public static long contiguousEnd(List<SegmentMetadata> markers) {
        long end = 0;
        for (SegmentMetadata m : markers) {
            if (m.baseOffset() > end) {
                break;
            }
            end = Math.max(end, m.nextOffset());
        }
        return end;
    }

    /** Per partition, {@link #contiguousEnd} of what S3 holds now. */
    public static Map<Integer, Long> s3Ends(Path bucketDir, String topic) throws IOException {
        Map<Integer, Long> ends = new HashMap<>();
        remoteMarkers(bucketDir, topic).forEach((p, metas) -> ends.put(p, contiguousEnd(metas)));
        return ends;
    }

    public synchronized Set<String> deletedLocal() {
        return new HashSet<>(deletedLocal);
    }

    public int checks() {
        return checks;
    }

    public int commitsChecked() {
        return commitsChecked;
    }

    /** Fails with every breach seen so far. */
    public synchronized void assertHeld() {
        if (!breaches.isEmpty()) {
            throw new AssertionError(breaches.size() + " breach(es), e.g. " + breaches.stream().limit(10).toList());
        }
    }

    @Override
    public void close() throws InterruptedException {
        stopped = true;
        thread.interrupt();
        thread.join(10_000);
    }
}
