package io.tieredarchive.cli;

import io.tieredarchive.tier.ArchiveReader;
import io.tieredarchive.tier.ArchiveVerifier;
import io.tieredarchive.tier.RemoteSegmentStore;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code verify [TOPIC [PARTITION]]}: checksums, offset contiguity, index consistency. */
@Command(name = "verify", description = {"Check the archive: each marker's files are present with its sizes and "
        + "CRC32Cs, the manifest agrees with the markers, no object lacks its marker, offsets follow on. Unless "
        + "--quick, every segment is also downloaded and read: file CRC32Cs, every batch CRC, the indexes, the "
        + "offsets, record count and max timestamp.",
        "One line per finding: 'ERROR <partition>: ...' or 'WARN <partition>: ...', then one 'OK'/'FAILED' "
        + "line per partition. Exit 1 when there is any ERROR."})
final class VerifyCommand implements Callable<Integer> {

    @Mixin
    StoreOptions options;
    @Parameters(index = "0", arity = "0..1", paramLabel = "TOPIC")
    String topic;
    @Parameters(index = "1", arity = "0..1", paramLabel = "PARTITION")
    Integer partition;
    @Option(names = "--quick", description = "Check sizes and checksums from the objects' metadata only (HEAD), "
            + "without downloading.")
    boolean quick;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        boolean ok = true;
        Path scratch = Files.createTempDirectory("tiered-archive-verify");
        try (RemoteSegmentStore store = options.openStore();
             ArchiveReader reader = new ArchiveReader(store, null, null, ArchiveReader.Options.DEFAULT)) {
            ArchiveVerifier verifier = new ArchiveVerifier(store, reader);
            for (TopicPartition tp : Partitions.of(store, topic, partition)) {
                ArchiveVerifier.Report report = verifier.verify(tp.topic(), tp.partition(), !quick, scratch);
                report.warnings().forEach(w -> out.println("WARN " + report.partition() + ": " + w));
                report.errors().forEach(e -> out.println("ERROR " + report.partition() + ": " + e));
                out.println((report.ok() ? "OK " : "FAILED ") + report.partition() + ": " + report.segments()
                        + " segment(s), " + report.records() + " record(s), " + report.errors().size() + " error(s), "
                        + report.warnings().size() + " warning(s)");
                ok &= report.ok();
            }
        } finally {
            Files.deleteIfExists(scratch);
        }
        return ok ? ExitCodes.OK : ExitCodes.PROBLEMS;
    }
}
