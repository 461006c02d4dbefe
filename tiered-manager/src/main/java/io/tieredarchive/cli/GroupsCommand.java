package io.tieredarchive.cli;

import io.tieredarchive.dr.GroupOffsetsSnapshot;
import io.tieredarchive.dr.GroupRestore;
import io.tieredarchive.dr.GroupRestorePlan;
import io.tieredarchive.dr.GroupRestoreSettings;
import io.tieredarchive.tier.remote.RemoteSegmentStore;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * {@code groups}: restore consumer groups after a replay. Reads the replay connector's own config ({@code --config}):
 * the archive ({@code s3.*}), the topics and their targets ({@code replay.*}), the target cluster ({@code kafka.*})
 * and the offset syncs topic.
 */
@Command(name = "groups", description = {"Translate the consumer group offsets snapshotted in the archive into the "
        + "target cluster a replay wrote to, exactly: each group resumes at the first replayed record it had not "
        + "read. --config is the replay connector's config (s3.*, replay.*, kafka.*).",
        "Without --apply, prints the plan (a dry run). With --apply, commits the offsets of every group whose "
                + "offsets are all exact, and refuses when one of them has members on the target.",
        "Tab-separated columns; header and summary lines start with '#'. Exit 1 when a group is not exact (or "
                + "is active, with --apply)."})
final class GroupsCommand extends StoreCommand {

    @Option(names = "--topic", paramLabel = "TOPIC", description = "An archived topic (repeatable). Default: the "
            + "replay's replay.topics or replay.topics.regex.")
    List<String> topics = new ArrayList<>();
    @Option(names = "--group", paramLabel = "REGEX", defaultValue = ".*",
            description = "Only groups whose id matches (default: every group in the snapshots).")
    String group;
    @Option(names = "--at", paramLabel = "TIME", description = "Use the newest snapshot taken at or before this "
            + "time (ISO-8601 or epoch ms). Default: the newest.")
    String at;
    @Option(names = "--show", description = "Only print the snapshots' offsets; needs no target cluster.")
    boolean show;
    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Mode mode = new Mode();

    static final class Mode {
        @Option(names = "--dry-run", description = "Print the plan, commit nothing (the default).")
        boolean dryRun;
        @Option(names = "--apply", description = "Commit the translated offsets (Admin.alterConsumerGroupOffsets).")
        boolean apply;
    }

    @Override
    int run(RemoteSegmentStore store, PrintWriter out) throws Exception {
        Map<String, String> props = options.properties();
        GroupRestoreSettings settings = GroupRestoreSettings.fromReplayConfig(props);
        Pattern groups = groupPattern();
        long atMs = at == null ? System.currentTimeMillis() : Partitions.parseTime(at);
        try (GroupRestore restore = new GroupRestore(store, settings)) {
            List<String> chosen = restore.topics(topics);
            if (show) {
                printSnapshots(restore.snapshots(chosen, atMs), groups, out);
                return ExitCodes.OK;
            }
            GroupRestorePlan plan = restore.plan(chosen, groups, atMs);
            plan.print(out);
            if (!mode.apply) {
                out.println("# dry run: nothing committed; --apply commits the exact groups");
                return plan.inexactGroups().isEmpty() ? ExitCodes.OK : ExitCodes.PROBLEMS;
            }
            GroupRestore.Applied applied;
            try {
                applied = restore.apply(plan);
            } catch (GroupRestore.ActiveGroupsException e) {
                spec.commandLine().getErr().println("tiered-archive groups: " + e.getMessage());
                return ExitCodes.PROBLEMS;
            }
            out.println("# applied: " + applied.applied() + (applied.notExact().isEmpty() ? ""
                    : "; not applied (not exact): " + applied.notExact()));
            return applied.notExact().isEmpty() ? ExitCodes.OK : ExitCodes.PROBLEMS;
        }
    }

    private Pattern groupPattern() {
        try {
            return Pattern.compile(group);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("--group '" + group + "' is not a regular expression: "
                    + e.getDescription());
        }
    }

    private static void printSnapshots(List<GroupRestore.TopicSnapshot> found, Pattern groups, PrintWriter out) {
        out.println("#topic\tincarnation\tsnapshot\tgroup\tpartition\tcommitted\tmetadata");
        for (GroupRestore.TopicSnapshot t : found) {
            if (t.snapshot().isEmpty()) {
                out.println("# " + t.topic() + ": " + t.note());
                continue;
            }
            GroupOffsetsSnapshot s = t.snapshot().get();
            String when = Instant.ofEpochMilli(s.snapshotAtMs()).toString();
            s.groups().forEach((g, offsets) -> {
                if (groups.matcher(g).matches()) {
                    offsets.forEach((p, c) -> out.println(t.topic() + "\t" + t.incarnation().id() + "\t" + when + "\t"
                            + g + "\t" + p + "\t" + c.offset() + "\t" + c.metadata()));
                }
            });
        }
    }
}
