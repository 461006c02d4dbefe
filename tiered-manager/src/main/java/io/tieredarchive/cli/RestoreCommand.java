package io.tieredarchive.cli;

import io.tieredarchive.tier.remote.ArchivePartition;
import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.tier.read.ArchiveReader;
import io.tieredarchive.tier.remote.RemoteSegmentStore;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/** {@code restore TOPIC PARTITION --output DIR}: bring a range of segments back to local disk. */
@Command(name = "restore", description = {"Download the segments holding a range of offsets into "
        + "OUTPUT/<topic>-<partition>/ as Kafka segment files (kafka-dump-log.sh reads them), each checked against "
        + "its marker's CRC32C.", "Progress goes to stderr."})
final class RestoreCommand extends StoreCommand {

    @Mixin
    ReadStart start;
    @Option(names = {"-o", "--output"}, required = true, paramLabel = "DIR", description = "Where to write.")
    Path output;
    @Option(names = "--to-offset", paramLabel = "OFFSET", description = "Last offset wanted (default: the end).")
    Long toOffset;
    @Option(names = "--no-progress", description = "No progress bar.")
    boolean noProgress;

    @Override
    int run(RemoteSegmentStore store, PrintWriter out) throws Exception {
        start.check();
        try (ArchiveReader reader = new ArchiveReader(store, null, null, ArchiveReader.Options.DEFAULT)) {
            ArchivePartition partition = start.partition(store);
            long from = start.offset(store.view(partition));
            long to = toOffset == null ? -1 : toOffset;
            ArchiveReader.RestoreResult result;
            try (ProgressBar bar = progressBar(reader.restoreBytes(partition, from, to))) {
                result = reader.restore(partition, from, to, output, bar == null ? n -> { } : bar::stepBy);
            }
            List<SegmentMetadata> segments = result.segments();
            String range = segments.isEmpty() ? "nothing in that range"
                    : "offsets " + segments.get(0).baseOffset() + ".." + segments.get(segments.size() - 1)
                    .lastOffset();
            out.println("restored " + segments.size() + " segment(s), " + result.bytes()
                    + " bytes (" + range + ") into " + result.directory());
        }
        return ExitCodes.OK;
    }

    private ProgressBar progressBar(long totalBytes) {
        if (noProgress) {
            return null;
        }
        return new ProgressBarBuilder().setTaskName("restore " + start.topic + "-" + start.partition)
                .setInitialMax(totalBytes).setUnit(" MiB", 1024 * 1024).setStyle(ProgressBarStyle.ASCII)
                .setConsumer(new ConsoleProgressBarConsumer(new PrintStream(System.err, true,
                        StandardCharsets.UTF_8)))
                .showSpeed().build();
    }
}
