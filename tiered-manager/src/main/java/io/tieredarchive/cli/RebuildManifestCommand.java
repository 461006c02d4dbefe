package io.tieredarchive.cli;

import io.tieredarchive.tier.remote.ArchivePartition;
import io.tieredarchive.tier.remote.RemoteSegmentStore;
import io.tieredarchive.tier.remote.SegmentManifest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.PrintWriter;

/** {@code rebuild-manifest [TOPIC [PARTITION]]}: rewrite manifests from the markers. */
@Command(name = "rebuild-manifest", description = "Rewrite the manifest of each partition from its markers (every "
        + "marker is read once). Safe while connectors run: the rewrite is a compare-and-set.")
final class RebuildManifestCommand extends StoreCommand {

    @Mixin
    PartitionSelection selection;

    @Override
    int run(RemoteSegmentStore store, PrintWriter out) throws Exception {
        for (ArchivePartition p : Partitions.of(store, selection.topic, selection.partition,
                selection.incarnations())) {
            SegmentManifest m = store.rebuildManifest(p);
            out.println(p + ": " + m.segments().size() + " segment(s)");
        }
        return ExitCodes.OK;
    }
}
