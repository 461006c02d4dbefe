package io.tieredarchive.tier.remote;

import io.tieredarchive.segment.SegmentMetadata;

import java.util.Objects;
import java.util.Optional;

/**
 * One life of a topic: the Kafka cluster id and the topic id (KIP-516) it had while it was archived. A topic deleted
 * and created again under the same name, or a topic of the same name in another cluster, is another incarnation,
 * archived apart from the first ({@link RemoteLayout}): its offsets start again and mean other records, so the sink
 * never counts one incarnation's archive as another's.
 *
 * <p>{@link #LEGACY} stands for the archives written before identities existed (marker format 1): they count as
 * one incarnation of unknown identity, kept where they were written.
 *
 * <p>The id of an incarnation is {@code <clusterId>.<topicId>} (each with every character but letters, digits,
 * {@code _} and {@code -} written as {@code %XX}), or {@code legacy}; it names the incarnation's folder and is what
 * users pass to {@code replay.incarnation} and the CLI's {@code --incarnation}.
 */
public record Incarnation(String clusterId, String topicId) {

    public static final Incarnation LEGACY = new Incarnation(null, null);
    public static final String LEGACY_ID = "legacy";

    public Incarnation {
        if ((clusterId == null) != (topicId == null) || "".equals(clusterId) || "".equals(topicId)) {
            throw new IllegalArgumentException("An incarnation has a cluster id and a topic id, or neither; got "
                    + clusterId + " and " + topicId);
        }
    }

    public static Incarnation of(String clusterId, String topicId) {
        return clusterId == null && topicId == null ? LEGACY : new Incarnation(clusterId, topicId);
    }

    /** The incarnation a marker belongs to. */
    public static Incarnation of(SegmentMetadata meta) {
        return of(meta.clusterId(), meta.topicId());
    }

    public boolean isLegacy() {
        return clusterId == null;
    }

    /** {@code <clusterId>.<topicId>} (encoded), or {@code legacy}. */
    public String id() {
        return isLegacy() ? LEGACY_ID : encode(clusterId) + "." + encode(topicId);
    }

    /**
     * The incarnation an id names: {@code legacy}, or {@code <clusterId>.<topicId>}; empty when {@code id} is
     * neither (a partition folder, a foreign object).
     */
    public static Optional<Incarnation> parse(String id) {
        if (LEGACY_ID.equals(id)) {
            return Optional.of(LEGACY);
        }
        int dot = id.lastIndexOf('.');
        if (dot <= 0 || dot == id.length() - 1 || id.indexOf('.') != dot) {
            return Optional.empty();
        }
        Optional<String> cluster = decode(id.substring(0, dot));
        Optional<String> topic = decode(id.substring(dot + 1));
        return cluster.isPresent() && topic.isPresent()
                ? Optional.of(new Incarnation(cluster.get(), topic.get())) : Optional.empty();
    }

    /** The same incarnation: the same cluster and topic ids. */
    public boolean sameAs(String otherClusterId, String otherTopicId) {
        return Objects.equals(clusterId, otherClusterId) && Objects.equals(topicId, otherTopicId);
    }

    @Override
    public String toString() {
        return isLegacy() ? "legacy incarnation" : "cluster " + clusterId + " topic id " + topicId;
    }

    static String encode(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (byte b : s.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-') {
                out.append(c);
            } else {
                out.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return out.toString();
    }

    private static Optional<String> decode(String s) {
        if (s.isEmpty()) {
            return Optional.empty();
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) {
                    return Optional.empty();
                }
                try {
                    out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                } catch (NumberFormatException e) {
                    return Optional.empty();
                }
                i += 2;
            } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'
                    || c == '-') {
                out.write(c);
            } else {
                return Optional.empty();
            }
        }
        return Optional.of(out.toString(java.nio.charset.StandardCharsets.UTF_8));
    }
}
