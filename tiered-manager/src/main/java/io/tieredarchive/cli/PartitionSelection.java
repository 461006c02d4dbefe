package io.tieredarchive.cli;

import picocli.CommandLine.Option;
import io.tieredarchive.tier.remote.IncarnationSelection;
import picocli.CommandLine.Parameters;

/** {@code [TOPIC [PARTITION]]}: every archived partition, those of a topic, or one. */
final class PartitionSelection {

    @Parameters(index = "0", arity = "0..1", paramLabel = "TOPIC", description = "Default: every archived topic.")
    String topic;
    @Parameters(index = "1", arity = "0..1", paramLabel = "PARTITION", description = "Default: every partition.")
    Integer partition;
    @Option(names = "--incarnation", paramLabel = "WHICH", defaultValue = "all", description = "Which incarnations "
            + "of each topic (a topic deleted and created again, or a topic of another cluster, is another "
            + "incarnation): all (default), latest, legacy, <clusterId>.<topicId> or a topic id.")
    String incarnation;

    IncarnationSelection incarnations() {
        return new IncarnationSelection(incarnation);
    }
}
