package io.tieredarchive.cli;

import io.tieredarchive.segment.ArchivedRecord;
import io.tieredarchive.tier.ArchiveCursor;
import io.tieredarchive.tier.ArchiveReader;
import io.tieredarchive.tier.RemoteSegmentStore;
import org.apache.kafka.common.header.Header;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.concurrent.Callable;

/** {@code dump TOPIC PARTITION}: print archived records. */
@Command(name = "dump", description = {"Print the archived records of a partition, one per line, in offset order. "
        + "Keys, values and headers print as text when they are printable UTF-8, else as 0x<hex>."})
final class DumpCommand implements Callable<Integer> {

    @Mixin
    StoreOptions options;
    @Parameters(index = "0", paramLabel = "TOPIC")
    String topic;
    @Parameters(index = "1", paramLabel = "PARTITION")
    int partition;
    @Option(names = "--from-offset", paramLabel = "OFFSET", description = "First offset (default: the start).")
    Long fromOffset;
    @Option(names = "--from-time", paramLabel = "TIME", description = "Instead of --from-offset: the first record "
            + "with a timestamp at or after TIME (ISO-8601 or epoch ms).")
    String fromTime;
    @Option(names = {"-n", "--max-records"}, paramLabel = "N", description = "Stop after N records.")
    long maxRecords = Long.MAX_VALUE;
    @Option(names = "--print-values", description = "Print keys, values and headers, not only their sizes.")
    boolean printValues;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (fromOffset != null && fromTime != null) {
            throw new IllegalArgumentException("--from-offset and --from-time exclude each other");
        }
        PrintWriter out = spec.commandLine().getOut();
        try (RemoteSegmentStore store = options.openStore();
             ArchiveReader reader = new ArchiveReader(store, null, null, ArchiveReader.Options.DEFAULT);
             ArchiveCursor cursor = fromTime != null
                     ? reader.fromTimestamp(topic, partition, Partitions.parseTime(fromTime))
                     : reader.fromOffset(topic, partition, fromOffset == null ? 0 : fromOffset)) {
            long printed = 0;
            for (ArchivedRecord r = printed < maxRecords ? cursor.next() : null; r != null;
                 r = ++printed < maxRecords ? cursor.next() : null) {
                out.println(format(r));
            }
        }
        return ExitCodes.OK;
    }

    private String format(ArchivedRecord r) {
        StringBuilder sb = new StringBuilder();
        sb.append("offset: ").append(r.offset()).append(' ').append(r.timestampType()).append(": ")
                .append(r.timestamp()).append(" keySize: ").append(r.key() == null ? -1 : r.key().length)
                .append(" valueSize: ").append(r.value() == null ? -1 : r.value().length)
                .append(" headers: ").append(r.headers().length);
        if (printValues) {
            sb.append(" key: ").append(text(r.key())).append(" value: ").append(text(r.value()));
            for (Header h : r.headers()) {
                sb.append(" header[").append(h.key()).append("]: ").append(text(h.value()));
            }
        }
        return sb.toString();
    }

    static String text(byte[] bytes) {
        if (bytes == null) {
            return "null";
        }
        try {
            String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
            if (s.codePoints().noneMatch(c -> Character.isISOControl(c))) {
                return s;
            }
        } catch (CharacterCodingException notText) {
            // printed as hex below
        }
        return "0x" + HexFormat.of().formatHex(bytes);
    }
}
