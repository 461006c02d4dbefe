package io.tieredarchive.scaling;

import java.util.Locale;
import java.util.Map;

/**
 * What the scaling simulation counted for one configuration, summed over sampled partitions, each weighted by the
 * number of partitions it stands for; and the table docs/scaling.md shows.
 */
public final class RequestTally {

    /** Objects below this size are billed as this size by S3 Standard-IA and Glacier Instant Retrieval. */
    public static final long SMALL_OBJECT_BYTES = 128 * 1024;
    /** AWS S3 Standard, us-east-1, list prices per 1,000 requests (aws.amazon.com/s3/pricing). */
    static final double PUT_TIER_PER_1000 = 0.005;
    static final double GET_TIER_PER_1000 = 0.0004;
    static final double STORAGE_PER_GB_MONTH = 0.023;

    private final double[] requests = new double[CountingMemoryBackend.Kind.values().length];
    private double segments;
    private double objects;
    private double smallObjects;
    private double storedBytes;
    private double largestManifest;

    /** Adds one sampled partition's day, {@code weight} times. */
    public void add(long[] partitionRequests, long sealed, Map<String, Long> objectSizes, int weight) {
        for (int i = 0; i < requests.length; i++) {
            requests[i] += (double) partitionRequests[i] * weight;
        }
        segments += (double) sealed * weight;
        for (Map.Entry<String, Long> e : objectSizes.entrySet()) {
            objects += weight;
            storedBytes += (double) e.getValue() * weight;
            if (e.getValue() < SMALL_OBJECT_BYTES) {
                smallObjects += weight;
            }
            if (e.getKey().endsWith("manifest.json")) {
                largestManifest = Math.max(largestManifest, e.getValue());
            }
        }
    }

    private double count(CountingMemoryBackend.Kind kind) {
        return requests[kind.ordinal()];
    }

    /** The table for {@code partitions} partitions archiving {@code gbPerDay} GB (topic bytes) in a day. */
    public String table(String title, int partitions, double gbPerDay) {
        StringBuilder out = new StringBuilder();
        double partitionHours = partitions * 24.0;
        out.append("#### ").append(title).append("\n\n");
        out.append("| request | per day | per GB archived | per partition-hour | per second (mean) | $ per day |\n");
        out.append("|---|---:|---:|---:|---:|---:|\n");
        double total = 0;
        double dollars = 0;
        for (CountingMemoryBackend.Kind kind : CountingMemoryBackend.Kind.values()) {
            double n = count(kind);
            double price = switch (kind) {
                case PUT, POST, LIST -> PUT_TIER_PER_1000;
                case GET, HEAD -> GET_TIER_PER_1000;
                case DELETE -> 0;
            };
            total += n;
            dollars += n / 1000 * price;
            out.append(row(label(kind), n, gbPerDay, partitionHours, n / 1000 * price));
        }
        out.append(row("**all**", total, gbPerDay, partitionHours, dollars));
        out.append('\n');
        out.append(String.format(Locale.ROOT, "- segments sealed: %,.0f per day (%.3f per partition-hour)%n",
                segments, segments / partitionHours));
        out.append(String.format(Locale.ROOT, "- objects written: %,.0f, of which below 128 KiB: %,.0f (%.1f %%)%n",
                objects, smallObjects, 100 * smallObjects / Math.max(1, objects)));
        out.append(String.format(Locale.ROOT, "- bytes stored: %,.1f GB; a month of them at Standard: $%,.0f; the "
                + "largest manifest at the end of the day: %,.0f KiB%n", storedBytes / 1e9,
                storedBytes / 1e9 * STORAGE_PER_GB_MONTH, largestManifest / 1024));
        out.append(String.format(Locale.ROOT, "- requests: $%,.2f per day, $%,.0f per 30 days%n", dollars,
                dollars * 30));
        return out.toString();
    }

    private static String label(CountingMemoryBackend.Kind kind) {
        return switch (kind) {
            case PUT -> "PUT (PutObject, UploadPart)";
            case POST -> "POST (Create/CompleteMultipartUpload)";
            case GET -> "GET";
            case HEAD -> "HEAD";
            case LIST -> "LIST";
            case DELETE -> "DELETE";
        };
    }

    private static String row(String label, double n, double gbPerDay, double partitionHours, double dollars) {
        return String.format(Locale.ROOT, "| %s | %,.0f | %.2f | %.3f | %.1f | %.2f |%n", label, n, n / gbPerDay,
                n / partitionHours, n / 86_400, dollars);
    }
}
