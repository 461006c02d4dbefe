package io.tieredarchive.scaling;

import java.util.ArrayList;
import java.util.List;

/**
 * The scaling simulation's workload: {@code partitions} partitions sharing {@code totalBytesPerSec} of records
 * (topic bytes, before compression) by a capped Zipf law: the partition of rank r gets {@code min(cap, C / r^s)},
 * C chosen so that the rates add up to the total. Most partitions are nearly idle, a few carry most bytes.
 *
 * <p>A sample stands for the whole: the {@code top} busiest ranks one by one, the rest in equal strata of
 * consecutive ranks, each stratum run as one partition at its mean rate and counted {@code weight} times.
 */
public final class SyntheticWorkload {

    /** One simulated partition: the ranks it stands for and its rate in records per second. */
    public record SampledPartition(int firstRank, int weight, double recordsPerSec) {
    }

    private final double[] bytesPerSec;
    private final int recordBytes;

    /**
     * @param recordBytes size of one record in topic bytes (before compression)
     */
    public SyntheticWorkload(int partitions, double totalBytesPerSec, double exponent, double capBytesPerSec,
                             int recordBytes) {
        this.recordBytes = recordBytes;
        double[] weights = new double[partitions];
        for (int r = 0; r < partitions; r++) {
            weights[r] = Math.pow(r + 1, -exponent);
        }
        double lo = 0;
        double hi = totalBytesPerSec / weights[partitions - 1];
        for (int i = 0; i < 200; i++) {
            double c = (lo + hi) / 2;
            if (sum(weights, c, capBytesPerSec) > totalBytesPerSec) {
                hi = c;
            } else {
                lo = c;
            }
        }
        bytesPerSec = new double[partitions];
        for (int r = 0; r < partitions; r++) {
            bytesPerSec[r] = Math.min(capBytesPerSec, lo * weights[r]);
        }
    }

    private static double sum(double[] weights, double c, double cap) {
        double total = 0;
        for (double w : weights) {
            total += Math.min(cap, c * w);
        }
        return total;
    }

    public int partitions() {
        return bytesPerSec.length;
    }

    /** Records per second of the partition of rank {@code rank} (1 = busiest). */
    public double recordsPerSec(int rank) {
        return bytesPerSec[rank - 1] / recordBytes;
    }

    /** How many partitions receive fewer than {@code records} records per {@code seconds}. */
    public int partitionsBelow(double records, double seconds) {
        int n = 0;
        for (double b : bytesPerSec) {
            if (b / recordBytes * seconds < records) {
                n++;
            }
        }
        return n;
    }

    /** The sample: ranks 1..top alone, the rest in {@code strata} strata. */
    public List<SampledPartition> sample(int top, int strata) {
        List<SampledPartition> sample = new ArrayList<>();
        for (int r = 1; r <= top; r++) {
            sample.add(new SampledPartition(r, 1, recordsPerSec(r)));
        }
        int rest = partitions() - top;
        for (int i = 0; i < strata; i++) {
            int from = top + 1 + (int) ((long) rest * i / strata);
            int to = top + (int) ((long) rest * (i + 1) / strata);
            double mean = 0;
            for (int r = from; r <= to; r++) {
                mean += recordsPerSec(r);
            }
            sample.add(new SampledPartition(from, to - from + 1, mean / (to - from + 1)));
        }
        return sample;
    }
}
