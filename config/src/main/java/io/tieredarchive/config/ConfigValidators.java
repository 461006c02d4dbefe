package io.tieredarchive.config;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Validators for values Kafka's own validators do not cover. Each throws a {@link ConfigException} naming the key,
 * the value and the reason, which Connect shows against that key in {@code PUT .../config/validate}.
 */
public final class ConfigValidators {

    private ConfigValidators() {
    }

    /** Accepts null (an unset optional key) and otherwise defers to {@code inner}. */
    public static ConfigDef.Validator nullOr(ConfigDef.Validator inner) {
        return new ConfigDef.Validator() {
            @Override
            public void ensureValid(String name, Object value) {
                if (value != null) {
                    inner.ensureValid(name, value);
                }
            }

            @Override
            public String toString() {
                return inner + " (or unset)";
            }
        };
    }

    /** An http or https URL with a host, or the empty string. */
    public static ConfigDef.Validator httpUrlOrEmpty() {
        return new ConfigDef.Validator() {
            @Override
            public void ensureValid(String name, Object value) {
                String s = value == null ? "" : ((String) value).trim();
                if (s.isEmpty()) {
                    return;
                }
                try {
                    URI uri = new URI(s);
                    if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                        throw new ConfigException(name, value, "must be an http:// or https:// URL with a host");
                    }
                } catch (URISyntaxException e) {
                    throw new ConfigException(name, value, "is not a URL: " + e.getReason());
                }
            }

            @Override
            public String toString() {
                return "http(s) URL, or empty";
            }
        };
    }

    /**
     * A list of {@code host:port} addresses (Kafka's {@code bootstrap.servers}); empty only when not
     * {@code required}.
     */
    public static ConfigDef.Validator hostPortList(boolean required) {
        return new ConfigDef.Validator() {
            @Override
            public void ensureValid(String name, Object value) {
                if (value == null) {
                    return; // a missing required key: ConfigDef reports it
                }
                @SuppressWarnings("unchecked")
                java.util.List<String> list = (java.util.List<String>) value;
                if (list.isEmpty() && required) {
                    throw new ConfigException(name, value, "name at least one host:port");
                }
                for (String address : list) {
                    String a = address.trim();
                    int colon = a.lastIndexOf(':');
                    boolean valid = colon > 0 && colon < a.length() - 1 && a.substring(colon + 1).chars()
                            .allMatch(Character::isDigit) && a.substring(colon + 1).length() <= 5
                            && Integer.parseInt(a.substring(colon + 1)) > 0
                            && Integer.parseInt(a.substring(colon + 1)) <= 65_535;
                    if (!valid) {
                        throw new ConfigException(name, value, "'" + address + "' is not host:port");
                    }
                }
            }

            @Override
            public String toString() {
                return required ? "host:port,..." : "host:port,..., or empty";
            }
        };
    }

    /** An S3 key prefix: no "..", no "//", no backslash, no control characters. */
    public static ConfigDef.Validator objectKeyPrefix() {
        return new ConfigDef.Validator() {
            @Override
            public void ensureValid(String name, Object value) {
                String s = value == null ? "" : (String) value;
                if (s.contains("//")) {
                    throw new ConfigException(name, value, "must not contain an empty path element ('//')");
                }
                for (String part : s.split("/")) {
                    if (part.equals("..") || part.equals(".")) {
                        throw new ConfigException(name, value, "must not contain '.' or '..' path elements");
                    }
                }
                if (s.chars().anyMatch(c -> c < 0x20 || c == 0x7f || c == '\\')) {
                    throw new ConfigException(name, value, "must not contain control characters or '\\'");
                }
            }

            @Override
            public String toString() {
                return "key prefix without '.', '..' or empty path elements";
            }
        };
    }

    /** A non-empty file system path. */
    public static ConfigDef.Validator path() {
        return new ConfigDef.Validator() {
            @Override
            public void ensureValid(String name, Object value) {
                if (value == null) {
                    return; // a missing required key is reported once, by ConfigDef itself
                }
                String s = ((String) value).trim();
                if (s.isEmpty()) {
                    throw new ConfigException(name, value, "must be a directory path");
                }
                try {
                    Path.of(s);
                } catch (InvalidPathException e) {
                    throw new ConfigException(name, value, "is not a valid path: " + e.getReason());
                }
            }

            @Override
            public String toString() {
                return "directory path";
            }
        };
    }

    /** A Java regular expression, or empty. */
    public static ConfigDef.Validator regexOrEmpty() {
        return new ConfigDef.Validator() {
            @Override
            public void ensureValid(String name, Object value) {
                String s = value == null ? "" : (String) value;
                if (s.isEmpty()) {
                    return;
                }
                try {
                    Pattern.compile(s);
                } catch (PatternSyntaxException e) {
                    throw new ConfigException(name, value, "is not a valid regular expression: "
                            + e.getDescription());
                }
            }

            @Override
            public String toString() {
                return "regular expression, or empty";
            }
        };
    }

    /** An ISO-8601 instant ({@code 2026-01-31T12:00:00Z}), epoch milliseconds, or empty. */
    public static ConfigDef.Validator instantOrEmpty() {
        return new ConfigDef.Validator() {
            @Override
            public void ensureValid(String name, Object value) {
                String s = value == null ? "" : ((String) value).trim();
                if (!s.isEmpty()) {
                    try {
                        parseInstantMillis(s);
                    } catch (IllegalArgumentException e) {
                        throw new ConfigException(name, value,
                                "must be an ISO-8601 instant such as 2026-01-31T12:00:00Z or epoch milliseconds");
                    }
                }
            }

            @Override
            public String toString() {
                return "ISO-8601 instant or epoch milliseconds, or empty";
            }
        };
    }

    /** Parses an ISO-8601 instant or epoch milliseconds into epoch milliseconds. */
    public static long parseInstantMillis(String s) {
        String t = s.trim();
        if (t.matches("-?\\d+")) {
            return Long.parseLong(t);
        }
        try {
            return Instant.parse(t).toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("Not an ISO-8601 instant or epoch milliseconds: " + s, e);
        }
    }
}
