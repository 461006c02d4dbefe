package io.tieredarchive.cli;

import io.tieredarchive.tier.remote.ArchivePartition;
import io.tieredarchive.tier.read.ArchiveReader;
import io.tieredarchive.tier.read.ArchiveVerifier;
import io.tieredarchive.tier.remote.RemoteSegmentStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code verify [TOPIC [PARTITION]]}: checksums, offset contiguity, index consistency. */
@Command(name = "verify", description = {"Check the archive: each marker's files are present with its sizes and "
        + "CRC32Cs, the manifest agrees with the markers, no object lacks its marker, offsets follow on. Unless "
        + "--quick, every segment is also downloaded and read: file CRC32Cs, every batch CRC, the indexes, the "
        + "offsets, record count and max timestamp.",
        "One line per finding: 'ERROR <partition>: ...' or 'WARN <partition>: ...', then one 'OK'/'FAILED' "
        + "line per partition. Exit 1 when there is any ERROR."})
final class VerifyCommand extends StoreCommand {

    @Mixin
    PartitionSelection selection;
    @Option(names = "--quick", description = "Check sizes and checksums from the objects' metadata only (HEAD), "
            + "without downloading.")
    boolean quick;

    @Override
    int run(RemoteSegmentStore store, PrintWriter out) throws Exception {
        boolean ok = true;
        Path scratch = Files.createTempDirectory("tiered-archive-verify");
        try (ArchiveReader reader = new ArchiveReader(store, null, null, ArchiveReader.Options.DEFAULT)) {
            ArchiveVerifier verifier = new ArchiveVerifier(store, reader);
            for (ArchivePartition p : Partitions.of(store, selection.topic, selection.partition,
                    selection.incarnations())) {
                ArchiveVerifier.Report report = verifier.verify(p, !quick, scratch);
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
