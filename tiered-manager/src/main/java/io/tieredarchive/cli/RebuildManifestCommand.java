package io.tieredarchive.cli;

import io.tieredarchive.tier.RemoteSegmentStore;
import io.tieredarchive.tier.SegmentManifest;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code rebuild-manifest [TOPIC [PARTITION]]}: rewrite manifests from the markers. */
@Command(name = "rebuild-manifest", description = "Rewrite the manifest of each partition from its markers (every "
        + "marker is read once). Safe while connectors run: the rewrite is a compare-and-set.")
final class RebuildManifestCommand implements Callable<Integer> {

    @Mixin
    StoreOptions options;
    @Parameters(index = "0", arity = "0..1", paramLabel = "TOPIC")
    String topic;
    @Parameters(index = "1", arity = "0..1", paramLabel = "PARTITION")
    Integer partition;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        try (RemoteSegmentStore store = options.openStore()) {
            for (TopicPartition tp : Partitions.of(store, topic, partition)) {
                SegmentManifest m = store.rebuildManifest(tp.topic(), tp.partition());
                spec.commandLine().getOut().println(tp + ": " + m.segments().size() + " segment(s)");
            }
        }
        return ExitCodes.OK;
    }
}
