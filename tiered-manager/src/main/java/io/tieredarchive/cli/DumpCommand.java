package io.tieredarchive.cli;

import io.tieredarchive.tier.remote.ArchivePartition;
import io.tieredarchive.segment.ArchivedRecord;
import io.tieredarchive.tier.read.ArchiveCursor;
import io.tieredarchive.tier.read.ArchiveReader;
import io.tieredarchive.tier.remote.RemoteSegmentStore;
import org.apache.kafka.common.header.Header;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/** {@code dump TOPIC PARTITION}: print archived records. */
@Command(name = "dump", description = {"Print the archived records of a partition, one per line, in offset order. "
        + "Keys, values and headers print as text when they are printable UTF-8, else as 0x<hex>."})
final class DumpCommand extends StoreCommand {

    @Mixin
    ReadStart start;
    @Option(names = {"-n", "--max-records"}, paramLabel = "N", description = "Stop after N records.")
    long maxRecords = Long.MAX_VALUE;
    @Option(names = "--print-values", description = "Print keys, values and headers, not only their sizes.")
    boolean printValues;

    @Override
    int run(RemoteSegmentStore store, PrintWriter out) throws Exception {
        start.check();
        ArchivePartition partition = start.partition(store);
        try (ArchiveReader reader = new ArchiveReader(store, null, null, ArchiveReader.Options.DEFAULT);
             ArchiveCursor cursor = start.timestamp() != null
                     ? reader.fromTimestamp(partition, start.timestamp())
                     : reader.fromOffset(partition, start.fromOffset == null ? 0 : start.fromOffset)) {
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
