package io.tieredarchive.cli;

import io.tieredarchive.tier.TieringService;
import io.tieredarchive.tier.TieringSettings;
import io.tieredarchive.tier.TieringStats;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code archive}: upload every sealed segment under {@code local.dir} now, ignoring the upload delay. */
@Command(name = "archive", description = {"Upload every sealed segment under local.dir now (whatever "
        + "tier.upload.delay.ms says), verify it and register it. Local copies are kept: deleting them is the "
        + "connector's retention.", "Exit 1 when some segment could not be uploaded."})
final class ArchiveCommand implements Callable<Integer> {

    @Mixin
    StoreOptions options;
    @Option(names = "--local-dir", paramLabel = "DIR", description = "The sink's local.dir (default: the local.dir "
            + "key).")
    Path localDir;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        TieringSettings settings = new TieringSettings(options.localDir(localDir), 0, -1, -1,
                TieringSettings.DEFAULT_SCAN_INTERVAL_MS, TieringSettings.DEFAULT_UPLOAD_THREADS, 0, 0);
        TieringStats stats;
        try (TieringService service = new TieringService(settings, options.openStore(), System::currentTimeMillis)) {
            service.archiveNow();
            stats = service.stats();
        }
        spec.commandLine().getOut().println("uploaded " + stats.uploadedSegments() + " segment(s), "
                + stats.uploadedBytes() + " bytes sent; " + stats.pendingSegments() + " segment(s) left to upload");
        if (stats.pendingSegments() > 0) {
            spec.commandLine().getErr().println("tiered-archive archive: " + stats.lastError());
            return ExitCodes.PROBLEMS;
        }
        return ExitCodes.OK;
    }
}
