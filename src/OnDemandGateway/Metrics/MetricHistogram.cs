namespace OnDemandGateway.Metrics;

/// <summary>A lock-free Prometheus histogram: per-bucket counts (cumulated only when written) and a sum.</summary>
internal sealed class MetricHistogram(double[] upperBounds)
{
    private readonly long[] _counts = new long[upperBounds.Length + 1]; // last slot is +Inf
    private double _sum;

    public IReadOnlyList<double> UpperBounds => upperBounds;

    public void Observe(double value)
    {
        if (double.IsNaN(value)) return;
        var slot = Array.BinarySearch(upperBounds, value);
        // Buckets are "less than or equal": an exact match belongs to that bucket, otherwise the next larger one.
        if (slot < 0) slot = ~slot;
        Interlocked.Increment(ref _counts[slot]);
        double seen, updated;
        do
        {
            seen = Volatile.Read(ref _sum);
            updated = seen + value;
        }
        while (Interlocked.CompareExchange(ref _sum, updated, seen) != seen);
    }

    /// <summary>Cumulative counts, one per bound plus +Inf; the last one is the total count, so they always agree.</summary>
    public long[] CumulativeCounts()
    {
        var result = new long[_counts.Length];
        long running = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            running += Interlocked.Read(ref _counts[i]);
            result[i] = running;
        }
        return result;
    }

    public double Sum => Volatile.Read(ref _sum);
}
