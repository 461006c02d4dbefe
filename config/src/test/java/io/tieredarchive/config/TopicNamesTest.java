package io.tieredarchive.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.internals.Topic;
import org.junit.jupiter.api.Test;

import java.util.List;

/** The plugin's topic-name rule is Kafka's: same verdict and message as Kafka's own (internal) check. */
class TopicNamesTest {

    @Test
    void sameVerdictAndMessageAsKafka() {
        List<String> names = List.of("orders", "a.b_c-D9", "", ".", "..", "...", "x".repeat(249), "x".repeat(250),
                "with space", "slash/topic", "ünïcode", "tab\t", "..hidden", "UPPER");
        for (String name : names) {
            assertEquals(Topic.isValid(name), TopicNames.isValid(name), name);
            if (!Topic.isValid(name)) {
                InvalidTopicException kafkas = assertThrows(InvalidTopicException.class, () -> Topic.validate(name));
                InvalidTopicException ours = assertThrows(InvalidTopicException.class,
                        () -> TopicNames.validate(name));
                assertEquals(kafkas.getMessage(), ours.getMessage());
            }
        }
    }
}
