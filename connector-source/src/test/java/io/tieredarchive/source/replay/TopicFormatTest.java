package io.tieredarchive.source.replay;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TopicFormatTest {

    @Test
    void placeholderTakesTheArchivedName() {
        assertEquals("orders", TopicFormat.parse("${topic}").target("orders"));
        assertEquals("orders.restored", TopicFormat.parse("${topic}.restored").target("orders"));
        assertEquals("restored-orders-v2", TopicFormat.parse("restored-${topic}-v2").target("orders"));
        assertEquals("orders_orders", TopicFormat.parse("${topic}_${topic}").target("orders"));
    }

    @Test
    void aFormatWithoutThePlaceholderMergesTopics() {
        TopicFormat merged = TopicFormat.parse("all-restored");
        assertFalse(merged.usesTopic());
        assertEquals("all-restored", merged.target("a"));
        assertEquals("all-restored", merged.target("b"));
        assertTrue(TopicFormat.parse("${topic}.x").usesTopic());
    }

    @Test
    void onlyKnownPlaceholdersAndLegalNames() {
        assertTrue(TopicFormat.problem("${partition}-x").contains("unknown placeholder '${partition}'"));
        assertTrue(TopicFormat.problem("${}").contains("unknown placeholder"));
        assertTrue(TopicFormat.problem("$topic").contains("legal topic name"));
        assertTrue(TopicFormat.problem("${topic} copy").contains("legal topic name"));
        assertTrue(TopicFormat.problem("..").contains("legal topic name"));
        assertTrue(TopicFormat.problem("x".repeat(250)).contains("legal topic name"));
        assertEquals(null, TopicFormat.problem("${topic}.restored"));
        assertThrows(IllegalArgumentException.class, () -> TopicFormat.parse("${TOPIC}"));
    }

    @Test
    void aTargetTooLongForKafkaNamesBothTopics() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TopicFormat.parse("${topic}.restored").target("t".repeat(245)));
        assertTrue(e.getMessage().contains("'" + "t".repeat(245) + ".restored'"), e.getMessage());
    }
}
