package io.tieredarchive.source.copy;

import java.util.ArrayList;
import java.util.List;

/**
 * How an object is cut into the parts of a multipart copy: parts of {@code partSize} bytes, the last one shorter.
 * S3 allows at most {@value #MAX_PARTS} parts, so a very large object gets larger parts than asked for (rounded up
 * to whole MiB).
 *
 * @param objectSize bytes of the object
 * @param partSize   bytes of every part but the last
 * @param count      number of parts
 */
public record PartPlan(long objectSize, long partSize, int count) {

    public static final int MAX_PARTS = 10_000;
    private static final long MIB = 1024L * 1024;

    /** The plan for {@code objectSize} bytes in parts of {@code preferredPartSize}, or larger if S3 needs it. */
    public static PartPlan of(long objectSize, long preferredPartSize) {
        long smallestAllowed = ceilDiv(ceilDiv(objectSize, MAX_PARTS), MIB) * MIB;
        long partSize = Math.max(preferredPartSize, smallestAllowed);
        int count = (int) Math.max(1, ceilDiv(objectSize, partSize));
        return new PartPlan(objectSize, partSize, count);
    }

    /** Part {@code number}, counted from 1 as S3 does. */
    public Part part(int number) {
        if (number < 1 || number > count) {
            throw new IllegalArgumentException("Part " + number + " of " + count);
        }
        long offset = (number - 1) * partSize;
        return new Part(number, offset, Math.min(partSize, objectSize - offset));
    }

    public List<Part> parts() {
        List<Part> parts = new ArrayList<>(count);
        for (int i = 1; i <= count; i++) {
            parts.add(part(i));
        }
        return parts;
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    /**
     * One part: bytes {@code [offset, offset + length)} of the object.
     *
     * @param number part number, from 1
     * @param offset first byte
     * @param length bytes
     */
    public record Part(int number, long offset, long length) {

        /** The HTTP range of this part, e.g. {@code bytes=0-5242879}. */
        public String range() {
            return "bytes=" + offset + "-" + (offset + length - 1);
        }
    }
}
