package io.tieredarchive.cli;

import io.tieredarchive.tier.remote.ArchivePartition;
import io.tieredarchive.tier.remote.ArchiveCatalog;
import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.tier.remote.PartitionView;
import io.tieredarchive.tier.remote.RemoteSegmentStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.PrintWriter;

/** {@code ls [TOPIC [PARTITION]]}: topics, the partitions of a topic, or the segments of a partition. */
@Command(name = "ls", description = {"List the archived topics; with TOPIC its partitions; with PARTITION its "
        + "segments.", "Tab-separated columns; header lines start with '#'."})
final class LsCommand extends StoreCommand {

    @Mixin
    PartitionSelection selection;

    @Override
    int run(RemoteSegmentStore store, PrintWriter out) throws Exception {
        if (selection.topic == null) {
            store.catalog().topics().forEach(out::println);
        } else if (selection.partition == null) {
            out.println("#incarnation\tcreated\tpartition\tsegments\tstartOffset\tendOffset");
            for (ArchiveCatalog.Entry e : selection.incarnations().select(store.catalog()
                    .incarnations(selection.topic))) {
                for (int p : store.catalog().partitions(selection.topic, e.incarnation())) {
                    PartitionView view = store.view(new ArchivePartition(selection.topic, e.incarnation(), p));
                    out.println(e.incarnation().id() + "\t" + Partitions.time(e.info().isPresent()
                            ? e.createdAtMs() : -1) + "\t" + p + "\t" + view.segments().size() + "\t"
                            + view.startOffset() + "\t" + view.endOffset());
                }
            }
        } else {
            out.println("#incarnation\tbaseOffset\tlastOffset\trecords\tfirstTimestamp\tmaxTimestamp\tbytes"
                    + "\tcodec\twriter");
            for (ArchivePartition p : Partitions.of(store, selection.topic, selection.partition,
                    selection.incarnations())) {
                for (SegmentMetadata m : store.view(p).segments()) {
                    out.println(p.incarnation().id() + "\t" + m.baseOffset() + "\t" + m.lastOffset() + "\t"
                            + m.recordCount() + "\t" + Partitions.time(m.firstTimestamp()) + "\t"
                            + Partitions.time(m.maxTimestamp()) + "\t" + m.log().size() + "\t" + m.codec() + "\t"
                            + m.writerId());
                }
            }
        }
        return ExitCodes.OK;
    }
}
