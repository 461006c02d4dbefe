package io.tieredarchive.config;

import org.apache.kafka.common.errors.InvalidTopicException;

/**
 * Kafka's rule for a legal topic name: 1 to 249 characters, ASCII letters, digits, '.', '_' and '-', and neither
 * "." nor "..". Kafka's own check ({@code org.apache.kafka.common.internals.Topic}) is not public API, so the plugin
 * keeps this copy, with Kafka's messages. A legal name is also a safe file or folder name: no '/', no "..".
 */
public final class TopicNames {

    public static final int MAX_LENGTH = 249;

    private TopicNames() {
    }

    public static boolean isValid(String name) {
        return problem(name) == null;
    }

    /** Throws {@link InvalidTopicException} saying why {@code name} is not a legal topic name. */
    public static void validate(String name) {
        String problem = problem(name);
        if (problem != null) {
            throw new InvalidTopicException("Topic name is invalid: " + problem);
        }
    }

    /** Why {@code name} is not a legal topic name, or null when it is. */
    public static String problem(String name) {
        if (name.isEmpty()) {
            return "the empty string is not allowed";
        }
        if (".".equals(name) || "..".equals(name)) {
            return "'" + name + "' is not allowed";
        }
        if (name.length() > MAX_LENGTH) {
            return "the length of '" + name + "' is longer than the max allowed length " + MAX_LENGTH;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean legal = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.'
                    || c == '_' || c == '-';
            if (!legal) {
                return "'" + name + "' contains one or more characters other than ASCII alphanumerics, '.', '_' "
                        + "and '-'";
            }
        }
        return null;
    }
}
