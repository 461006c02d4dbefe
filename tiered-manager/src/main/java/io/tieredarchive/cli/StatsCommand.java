package io.tieredarchive.cli;

import io.tieredarchive.tier.remote.ArchivePartition;
import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.tier.remote.PartitionView;
import io.tieredarchive.tier.remote.RemoteSegmentStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.PrintWriter;
import java.util.List;

/** {@code stats [TOPIC [PARTITION]]}: per partition, what the archive holds; then the totals. */
@Command(name = "stats", description = {"Segments, records, bytes, offsets and times per archived partition, then "
        + "the totals.", "Tab-separated columns; header and total lines start with '#'."})
final class StatsCommand extends StoreCommand {

    @Mixin
    PartitionSelection selection;

    @Override
    int run(RemoteSegmentStore store, PrintWriter out) throws Exception {
        long segments = 0;
        long records = 0;
        long bytes = 0;
        List<ArchivePartition> partitions = Partitions.of(store, selection.topic, selection.partition,
                selection.incarnations());
        out.println("#topic\tincarnation\tpartition\tsegments\trecords\tbytes\tstartOffset\tendOffset"
                + "\tfirstTimestamp\tmaxTimestamp");
        for (ArchivePartition tp : partitions) {
            PartitionView view = store.view(tp);
            List<SegmentMetadata> all = view.segments();
            long r = all.stream().mapToLong(SegmentMetadata::recordCount).sum();
            long b = all.stream().mapToLong(m -> m.log().size() + m.offsetIndex().size() + m.timeIndex().size())
                    .sum();
            long first = all.stream().mapToLong(SegmentMetadata::firstTimestamp).filter(t -> t >= 0).min()
                    .orElse(-1);
            long max = all.stream().mapToLong(SegmentMetadata::maxTimestamp).max().orElse(-1);
            out.println(tp.topic() + "\t" + tp.incarnation().id() + "\t" + tp.partition() + "\t" + all.size() + "\t" + r + "\t" + b + "\t"
                    + view.startOffset() + "\t" + view.endOffset() + "\t" + Partitions.time(first) + "\t"
                    + Partitions.time(max));
            segments += all.size();
            records += r;
            bytes += b;
        }
        out.println("#total\t" + partitions.size() + " partition(s)\t" + segments + "\t" + records + "\t" + bytes);
        return ExitCodes.OK;
    }
}
