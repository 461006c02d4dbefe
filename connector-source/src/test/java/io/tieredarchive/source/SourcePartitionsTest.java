package io.tieredarchive.source;

import io.tieredarchive.tier.remote.Incarnation;
import io.tieredarchive.tier.remote.ArchivePartition;
import io.tieredarchive.source.replay.ReplayRecords;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.storage.MemoryOffsetBackingStore;
import org.apache.kafka.connect.storage.OffsetStorageReaderImpl;
import org.apache.kafka.connect.storage.OffsetStorageWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Connect's own offset storage (writer, reader, JSON converter) over memory: a stored offset is found by the bytes
 * of its partition's JSON, so the field order must not depend on the JVM, and offsets stored in another order
 * (an earlier version's {@code Map.of}, a user's PATCH) must still be found.
 */
class SourcePartitionsTest {

    private static final String CONNECTOR = "replay";

    private MemoryOffsetBackingStore store;
    private JsonConverter converter;

    @BeforeEach
    void setUp() {
        store = new MemoryOffsetBackingStore() {
            @Override
            public Set<Map<String, Object>> connectorPartitions(String connectorName) {
                return Set.of();
            }
        };
        store.start();
        converter = new JsonConverter();
        converter.configure(Map.of("schemas.enable", "false", "converter.type", "key"));
    }

    @AfterEach
    void tearDown() {
        store.stop();
    }

    @Test
    void partitionsSerializeInTheirGivenOrderInEveryJvm() {
        byte[] replay = converter.fromConnectData(CONNECTOR, null,
                List.of(CONNECTOR, ReplayRecords.sourcePartition(ArchivePartition.legacy("orders", 3))));
        assertEquals("[\"replay\",{\"topic\":\"orders\",\"partition\":3}]",
                new String(replay, StandardCharsets.UTF_8), "a legacy archive's partition, as before incarnations");
        byte[] incarnation = converter.fromConnectData(CONNECTOR, null, List.of(CONNECTOR, ReplayRecords
                .sourcePartition(new ArchivePartition("orders", new Incarnation("c1", "t1"), 3))));
        assertEquals("[\"replay\",{\"topic\":\"orders\",\"partition\":3,\"incarnation\":\"c1.t1\"}]",
                new String(incarnation, StandardCharsets.UTF_8));
        byte[] copy = converter.fromConnectData(CONNECTOR, null,
                List.of(CONNECTOR, CopyEvents.partition("src", "data/", 1, 4)));
        assertEquals("[\"replay\",{\"bucket\":\"src\",\"prefix\":\"data/\",\"shard\":1,\"shards\":4}]",
                new String(copy, StandardCharsets.UTF_8));
    }

    @Test
    void anOffsetStoredUnderTheOtherFieldOrderIsFound() throws Exception {
        Map<String, Object> reversed = new LinkedHashMap<>();
        reversed.put("partition", 3);
        reversed.put("topic", "orders");
        write(reversed, Map.of("offset", 1200L));
        Map<String, Object> ours = ReplayRecords.sourcePartition(ArchivePartition.legacy("orders", 3));
        Map<String, Object> other = ReplayRecords.sourcePartition(ArchivePartition.legacy("orders", 4));

        var found = SourcePartitions.storedOffsets(reader(), List.of(ours, other));

        assertEquals(1200L, ReplayRecords.nextOffset(found.get(ours)));
        assertNull(ReplayRecords.nextOffset(found.get(other)), "nothing stored for partition 4");
    }

    @Test
    void theFurthestOffsetWinsWhenSeveralOrdersWereWritten() throws Exception {
        Map<String, Object> ours = ReplayRecords.sourcePartition(ArchivePartition.legacy("orders", 0));
        Map<String, Object> reversed = new LinkedHashMap<>();
        reversed.put("partition", 0);
        reversed.put("topic", "orders");
        write(reversed, Map.of("offset", 5000L));
        write(ours, Map.of("offset", 3000L));

        var found = SourcePartitions.storedOffsets(reader(), List.of(ours));

        assertEquals(2, found.get(ours).size());
        assertEquals(5000L, ReplayRecords.nextOffset(found.get(ours)));
    }

    @Test
    void everyOrderOfFourFieldsIsLookedUp() throws Exception {
        Map<String, Object> shuffled = new LinkedHashMap<>();
        shuffled.put("shards", 4);
        shuffled.put("prefix", "data/");
        shuffled.put("shard", 1);
        shuffled.put("bucket", "src");
        write(shuffled, Map.of("after", "data/00042.bin"));
        Map<String, Object> ours = CopyEvents.partition("src", "data/", 1, 4);

        var found = SourcePartitions.storedOffsets(reader(), List.of(ours));

        assertEquals(List.of(Map.of("after", "data/00042.bin")), found.get(ours));
        assertEquals(24, SourcePartitions.orders(List.of("a", "b", "c", "d")).size());
    }

    private OffsetStorageReaderImpl reader() {
        return new OffsetStorageReaderImpl(store, CONNECTOR, converter, converter);
    }

    private void write(Map<String, Object> partition, Map<String, Object> offset) throws Exception {
        OffsetStorageWriter writer = new OffsetStorageWriter(store, CONNECTOR, converter, converter);
        writer.offset(partition, offset);
        writer.beginFlush();
        writer.doFlush((error, result) -> { }).get(10, TimeUnit.SECONDS);
    }
}
