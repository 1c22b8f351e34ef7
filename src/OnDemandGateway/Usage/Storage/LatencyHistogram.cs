namespace OnDemandGateway.Usage.Storage;

/// <summary>Fixed latency bucket bounds shared by every rollup row, so histograms from any hour, key or
/// instance add up and a percentile can be estimated from rollups alone.</summary>
internal static class LatencyHistogram
{
    /// <summary>Inclusive upper bounds in milliseconds; a last, open bucket holds everything above.</summary>
    public static readonly double[] UpperBoundsMs =
        [50, 100, 250, 500, 750, 1_000, 1_500, 2_000, 3_000, 5_000, 7_500, 10_000, 15_000, 20_000, 30_000, 60_000, 120_000, 300_000];

    public static int BucketCount => UpperBoundsMs.Length + 1;

    /// <summary>Column names h00..h18, in bucket order.</summary>
    public static readonly string[] Columns = Enumerable.Range(0, UpperBoundsMs.Length + 1).Select(i => $"h{i:00}").ToArray();

    public static int BucketOf(double latencyMs)
    {
        for (var i = 0; i < UpperBoundsMs.Length; i++)
            if (latencyMs <= UpperBoundsMs[i]) return i;
        return UpperBoundsMs.Length;
    }

    /// <summary>Estimates a percentile by linear interpolation inside the bucket holding that rank.
    /// The open last bucket is bounded by the largest latency seen.</summary>
    public static double Percentile(IReadOnlyList<long> counts, double percentile, double maxLatencyMs)
    {
        long total = 0;
        foreach (var c in counts) total += c;
        if (total == 0) return 0;

        var rank = percentile * total;
        long before = 0;
        for (var i = 0; i < counts.Count; i++)
        {
            var count = counts[i];
            if (count > 0 && before + count >= rank)
            {
                var lower = i == 0 ? 0 : UpperBoundsMs[i - 1];
                var upper = i < UpperBoundsMs.Length ? UpperBoundsMs[i] : Math.Max(maxLatencyMs, lower);
                var estimate = lower + (upper - lower) * ((rank - before) / count);
                return maxLatencyMs > 0 ? Math.Min(estimate, maxLatencyMs) : estimate;
            }
            before += count;
        }
        return maxLatencyMs;
    }
}
