package io.tieredarchive.cli;

import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.tier.remote.PartitionView;
import io.tieredarchive.tier.remote.RemoteSegmentStore;
import org.apache.kafka.common.TopicPartition;
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
            store.backend().listFolders(store.layout().rootPrefix()).forEach(out::println);
        } else if (selection.partition == null) {
            out.println("#partition\tsegments\tstartOffset\tendOffset");
            for (TopicPartition tp : Partitions.of(store, selection.topic, null)) {
                PartitionView view = store.view(tp.topic(), tp.partition());
                out.println(tp.partition() + "\t" + view.segments().size() + "\t" + view.startOffset() + "\t"
                        + view.endOffset());
            }
        } else {
            out.println("#baseOffset\tlastOffset\trecords\tfirstTimestamp\tmaxTimestamp\tbytes\tcodec\twriter");
            for (SegmentMetadata m : store.view(selection.topic, selection.partition).segments()) {
                out.println(m.baseOffset() + "\t" + m.lastOffset() + "\t" + m.recordCount() + "\t"
                        + Partitions.time(m.firstTimestamp()) + "\t" + Partitions.time(m.maxTimestamp()) + "\t"
                        + m.log().size() + "\t" + m.codec() + "\t" + m.writerId());
            }
        }
        return ExitCodes.OK;
    }
}
