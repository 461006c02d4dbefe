package io.tieredarchive.cli;

import io.tieredarchive.config.VersionInfo;
import io.tieredarchive.failure.Failures;
import io.tieredarchive.segment.SegmentException;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code tiered-archive}: look at, check and move an archive from a shell. Every command reads the connector's
 * own keys ({@code --config}, {@code --set}) or a directory used as a bucket ({@code --bucket-dir}). Exit codes:
 * see {@link ExitCodes}. Errors go to stderr as one line naming the object, key or offset; never a credential.
 */
@Command(name = "tiered-archive", mixinStandardHelpOptions = true, versionProvider = TieredArchiveCli.Version.class,
        description = "Inspect, verify, restore and archive Kafka-format segments tiered to S3.",
        subcommands = {LsCommand.class, StatsCommand.class, ArchiveCommand.class, RestoreCommand.class,
                VerifyCommand.class, DumpCommand.class, RebuildManifestCommand.class, GroupsCommand.class,
                CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:done; verify found nothing wrong",
                "1:problems found (verify errors, segments left to upload, corrupt data, groups not exact or active)",
                "2:bad command line or configuration (a missing bucket included)",
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
        cli.setParameterExceptionHandler(TieredArchiveCli::badCommandLine);
        cli.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n");
        int code = cli.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    /**
     * picocli's handling of a bad command line (message, suggestions or usage, exit 2), except that the message
     * never repeats a secret: picocli quotes the offending argument, e.g. {@code --set s3.secret.access.key:X}
     * (a colon instead of '=') came back as "should be in KEY=VALUE format but was s3.secret.access.key:X".
     */
    private static int badCommandLine(CommandLine.ParameterException e, String[] args) {
        CommandLine commandLine = e.getCommandLine();
        PrintWriter err = commandLine.getErr();
        err.println(hideSecrets(e.getMessage(), args));
        if (!CommandLine.UnmatchedArgumentException.printSuggestions(e, err)) {
            commandLine.usage(err);
        }
        err.flush();
        return ExitCodes.USAGE;
    }

    private static final Pattern SECRET_ARGUMENT = Pattern.compile("(?i)[^=:]*(secret|password)[^=:]*[=:](.+)");

    /** {@code message} with the value of every argument that sets a secret or password key replaced. */
    static String hideSecrets(String message, String[] args) {
        String hidden = message == null ? "" : message;
        for (String arg : args) {
            Matcher m = SECRET_ARGUMENT.matcher(arg);
            if (m.matches() && !m.group(2).isEmpty()) {
                hidden = hidden.replace(m.group(2), "[hidden]");
            }
        }
        return hidden;
    }

    /** A failure of the store or the data by its kind ({@link ExitCodes#forKind}); bad usage 2; else 3. */
    static int exitCode(Throwable e) {
        if (e instanceof SegmentException || e instanceof IOException) {
            return ExitCodes.forKind(Failures.kind(e));
        }
        if (e instanceof ConfigException || e instanceof IllegalArgumentException
                || e instanceof CommandLine.ParameterException) {
            return ExitCodes.USAGE;
        }
        return ExitCodes.STORAGE;
    }

    private static String message(Throwable e) {
        String m = e.getMessage();
        if (m != null && (e instanceof SegmentException || e instanceof IOException)) {
            return m + Failures.whatToCheck(Failures.kind(e), "s3.");
        }
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
