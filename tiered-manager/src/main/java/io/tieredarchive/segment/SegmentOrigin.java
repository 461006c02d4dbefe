package io.tieredarchive.segment;

/**
 * Where a segment's records come from and where they go, recorded in its marker:
 *
 * @param clusterId   the Kafka cluster id of the archived topic; null when unknown (a legacy or hand-made segment)
 * @param topicId     the topic id (KIP-516) of the archived topic; null when unknown
 * @param startOffset the offset from which the segment is complete: no record of the partition lies in
 *                    {@code [startOffset, baseOffset)} (a compacted gap, or offsets the partition never had);
 *                    -1 when unknown (then readers treat it as the base offset)
 * @param destination the store the writer archives to ({@code s3://bucket/prefix}, and the endpoint), so that a
 *                    segment sealed under an older config is uploaded where that config said; null when unknown
 */
public record SegmentOrigin(String clusterId, String topicId, long startOffset, String destination) {

    /** A segment of no known identity, start or destination. */
    public static final SegmentOrigin UNKNOWN = new SegmentOrigin(null, null, -1, null);

    public SegmentOrigin {
        if ((clusterId == null) != (topicId == null)) {
            throw new IllegalArgumentException("clusterId and topicId are both known or both unknown, got "
                    + clusterId + " and " + topicId);
        }
    }

    /** This origin, for a segment complete from {@code offset} on. */
    public SegmentOrigin startingAt(long offset) {
        return new SegmentOrigin(clusterId, topicId, offset, destination);
    }

    /** True when the cluster and topic ids are known. */
    public boolean hasIdentity() {
        return clusterId != null;
    }
}
