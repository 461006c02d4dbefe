package io.tieredarchive.cli;

import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.tier.ArchiveReader;
import io.tieredarchive.tier.PartitionView;
import io.tieredarchive.tier.RemoteSegmentStore;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code restore TOPIC PARTITION --output DIR}: bring a range of segments back to local disk. */
@Command(name = "restore", description = {"Download the segments holding a range of offsets into "
        + "OUTPUT/<topic>-<partition>/ as Kafka segment files (kafka-dump-log.sh reads them), each checked against "
        + "its marker's CRC32C.", "Progress goes to stderr."})
final class RestoreCommand implements Callable<Integer> {

    @Mixin
    StoreOptions options;
    @Parameters(index = "0", paramLabel = "TOPIC")
    String topic;
    @Parameters(index = "1", paramLabel = "PARTITION")
    int partition;
    @Option(names = {"-o", "--output"}, required = true, paramLabel = "DIR", description = "Where to write.")
    Path output;
    @Option(names = "--from-offset", paramLabel = "OFFSET", description = "First offset wanted (default: the "
            + "archive's start).")
    Long fromOffset;
    @Option(names = "--from-time", paramLabel = "TIME", description = "Instead of --from-offset: the first record "
            + "with a timestamp at or after TIME (ISO-8601 or epoch ms).")
    String fromTime;
    @Option(names = "--to-offset", paramLabel = "OFFSET", description = "Last offset wanted (default: the end).")
    Long toOffset;
    @Option(names = "--no-progress", description = "No progress bar.")
    boolean noProgress;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (fromOffset != null && fromTime != null) {
            throw new IllegalArgumentException("--from-offset and --from-time exclude each other");
        }
        try (RemoteSegmentStore store = options.openStore();
             ArchiveReader reader = new ArchiveReader(store, null, null, ArchiveReader.Options.DEFAULT)) {
            long from = startOffset(store.view(topic, partition));
            long to = toOffset == null ? -1 : toOffset;
            ArchiveReader.RestoreResult result;
            try (ProgressBar bar = progressBar(reader.restoreBytes(topic, partition, from, to))) {
                result = reader.restore(topic, partition, from, to, output, bar == null ? n -> { } : bar::stepBy);
            }
            List<SegmentMetadata> segments = result.segments();
            String range = segments.isEmpty() ? "nothing in that range"
                    : "offsets " + segments.get(0).baseOffset() + ".." + segments.get(segments.size() - 1)
                    .lastOffset();
            spec.commandLine().getOut().println("restored " + segments.size() + " segment(s), " + result.bytes()
                    + " bytes (" + range + ") into " + result.directory());
        }
        return ExitCodes.OK;
    }

    /** --from-offset, or the base of the first segment holding --from-time, or 0. */
    private long startOffset(PartitionView view) {
        if (fromTime == null) {
            return fromOffset == null ? 0 : fromOffset;
        }
        return view.segmentFromTimestamp(Partitions.parseTime(fromTime)).map(SegmentMetadata::baseOffset)
                .orElse(Math.max(view.endOffset(), 0));
    }

    private ProgressBar progressBar(long totalBytes) {
        if (noProgress) {
            return null;
        }
        return new ProgressBarBuilder().setTaskName("restore " + topic + "-" + partition)
                .setInitialMax(totalBytes).setUnit(" MiB", 1024 * 1024).setStyle(ProgressBarStyle.ASCII)
                .setConsumer(new ConsoleProgressBarConsumer(new PrintStream(System.err, true,
                        StandardCharsets.UTF_8)))
                .showSpeed().build();
    }
}
