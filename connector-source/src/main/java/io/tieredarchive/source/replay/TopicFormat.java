package io.tieredarchive.source.replay;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.InvalidTopicException;
import io.tieredarchive.config.TopicNames;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The name of the topic an archived topic is replayed into: {@code replay.topic.format} with {@code ${topic}}
 * replaced by the archived topic's name ({@code ${topic}.restored} turns {@code orders} into
 * {@code orders.restored}). {@code ${topic}} is the only placeholder; a format without it sends every archived topic
 * to one topic.
 */
public final class TopicFormat {

    public static final String TOPIC_PLACEHOLDER = "${topic}";
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]*)}");
    /** A short legal name that stands in for the archived topic when only the format is known. */
    private static final String SAMPLE_TOPIC = "t";

    private final String format;

    private TopicFormat(String format) {
        this.format = format;
    }

    /** Parses {@code format}; throws {@link IllegalArgumentException} saying what is wrong with it. */
    public static TopicFormat parse(String format) {
        String problem = problem(format);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return new TopicFormat(format);
    }

    /** The target topic of the archived topic {@code topic}; fails when the result is not a legal topic name. */
    public String target(String topic) {
        String target = format.replace(TOPIC_PLACEHOLDER, topic);
        try {
            TopicNames.validate(target);
        } catch (InvalidTopicException e) {
            throw new IllegalArgumentException("replay.topic.format '" + format + "' turns topic '" + topic
                    + "' into '" + target + "', which is not a legal topic name: " + e.getMessage(), e);
        }
        return target;
    }

    public boolean usesTopic() {
        return format.contains(TOPIC_PLACEHOLDER);
    }

    @Override
    public String toString() {
        return format;
    }

    /** Why {@code format} cannot be used, or null when it can. */
    static String problem(String format) {
        if (format == null || format.isEmpty()) {
            return "must not be empty";
        }
        Matcher m = PLACEHOLDER.matcher(format);
        while (m.find()) {
            if (!m.group().equals(TOPIC_PLACEHOLDER)) {
                return "unknown placeholder '" + m.group() + "': the only placeholder is " + TOPIC_PLACEHOLDER;
            }
        }
        String sample = format.replace(TOPIC_PLACEHOLDER, SAMPLE_TOPIC);
        try {
            TopicNames.validate(sample);
        } catch (InvalidTopicException e) {
            return "does not yield a legal topic name (letters, digits, '.', '_', '-', at most 249 "
                    + "characters): " + e.getMessage();
        }
        return null;
    }

    /** The {@link ConfigDef} validator of {@code replay.topic.format}. */
    public static ConfigDef.Validator validator() {
        return new ConfigDef.Validator() {
            @Override
            public void ensureValid(String name, Object value) {
                String problem = problem((String) value);
                if (problem != null) {
                    throw new ConfigException(name, value, problem);
                }
            }

            @Override
            public String toString() {
                return "topic name in which ${topic} stands for the archived topic";
            }
        };
    }
}
