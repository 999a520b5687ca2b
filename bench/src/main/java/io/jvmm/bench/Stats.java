package io.jvmm.bench;

import java.util.Arrays;
import java.util.Collection;

/** Order statistics of a sample: medians and nearest-rank percentiles. */
final class Stats {
    private Stats() {
    }

    static double[] toArray(Collection<? extends Number> values) {
        return values.stream().mapToDouble(Number::doubleValue).toArray();
    }

    /** The median (mean of the two middle values for an even count). */
    static double median(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] s = values.clone();
        Arrays.sort(s);
        int m = s.length / 2;
        return s.length % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2;
    }

    static double median(Collection<? extends Number> values) {
        return median(toArray(values));
    }

    /** The nearest-rank percentile {@code p} (0 < p <= 100). */
    static double percentile(double[] values, double p) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] s = values.clone();
        Arrays.sort(s);
        int rank = (int) Math.ceil(p / 100.0 * s.length);
        return s[Math.max(0, Math.min(s.length - 1, rank - 1))];
    }

    static double min(double[] values) {
        return Arrays.stream(values).min().orElse(Double.NaN);
    }

    static double max(double[] values) {
        return Arrays.stream(values).max().orElse(Double.NaN);
    }

    /** Half the spread between the smallest and the largest value, relative to the median, in percent. */
    static double spreadPercent(double[] values) {
        double med = median(values);
        return med == 0 ? 0 : (max(values) - min(values)) / 2 / med * 100;
    }
}
