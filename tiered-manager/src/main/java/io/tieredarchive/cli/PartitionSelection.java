package io.tieredarchive.cli;

import picocli.CommandLine.Parameters;

/** {@code [TOPIC [PARTITION]]}: every archived partition, those of a topic, or one. */
final class PartitionSelection {

    @Parameters(index = "0", arity = "0..1", paramLabel = "TOPIC", description = "Default: every archived topic.")
    String topic;
    @Parameters(index = "1", arity = "0..1", paramLabel = "PARTITION", description = "Default: every partition.")
    Integer partition;
}
