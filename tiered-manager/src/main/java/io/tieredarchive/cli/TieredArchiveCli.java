package io.tieredarchive.cli;

import io.tieredarchive.config.VersionInfo;
import io.tieredarchive.segment.CorruptSegmentException;
import io.tieredarchive.segment.SegmentException;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/**
 * {@code tiered-archive}: look at, check and move an archive from a shell. Every command reads the connector's
 * own keys ({@code --config}, {@code --set}) or a directory used as a bucket ({@code --bucket-dir}). Exit codes:
 * see {@link ExitCodes}. Errors go to stderr as one line naming the object, key or offset; never a credential.
 */
@Command(name = "tiered-archive", mixinStandardHelpOptions = true, versionProvider = TieredArchiveCli.Version.class,
        description = "Inspect, verify, restore and archive Kafka-format segments tiered to S3.",
        subcommands = {LsCommand.class, StatsCommand.class, ArchiveCommand.class, RestoreCommand.class,
                VerifyCommand.class, DumpCommand.class, RebuildManifestCommand.class,
                CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:done; verify found nothing wrong",
                "1:problems found (verify errors, segments left to upload, corrupt data)",
                "2:bad command line or configuration",
                "3:storage or I/O failure (S3 unreachable, access denied, disk); retrying may help"})
public final class TieredArchiveCli {

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        System.exit(run(out, err, args));
    }

    /** Runs one command line; returns its exit code. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new TieredArchiveCli());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExitCodeExceptionMapper(TieredArchiveCli::exitCode);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("tiered-archive " + commandLine.getCommandName() + ": " + message(e));
            commandLine.getErr().flush();
            return exitCode(e);
        });
        cli.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n");
        int code = cli.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    static int exitCode(Throwable e) {
        if (e instanceof CorruptSegmentException) {
            return ExitCodes.PROBLEMS;
        }
        if (e instanceof SegmentException || e instanceof IOException) {
            return ExitCodes.STORAGE;
        }
        if (e instanceof ConfigException || e instanceof IllegalArgumentException
                || e instanceof CommandLine.ParameterException) {
            return ExitCodes.USAGE;
        }
        return ExitCodes.STORAGE;
    }

    private static String message(Throwable e) {
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
    }

    /** {@code --version}: the plugin's version. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"tiered-archive " + VersionInfo.version()};
        }
    }
}
