namespace OnDemandGateway.Usage.Storage;

/// <summary>Figures added into one rollup row (a batch is pre-aggregated so each key is upserted once).</summary>
internal sealed class RollupRow(long bucketStartMs, string model, string clientKey, string credential, string scope)
{
    public long BucketStartMs { get; } = bucketStartMs;
    public string Model { get; } = model;
    public string ClientKey { get; } = clientKey;
    public string Credential { get; } = credential;
    public string Scope { get; } = scope;

    public long Requests { get; set; }
    public long Successes { get; set; }
    public long PromptTokens { get; set; }
    public long CompletionTokens { get; set; }
    public long CostNanoUsd { get; set; }
    public long LatencyCount { get; set; }
    public double LatencySumMs { get; set; }
    public double LatencyMaxMs { get; set; }
    public long TtftCount { get; set; }
    public double TtftSumMs { get; set; }
    public long[] Histogram { get; } = new long[LatencyHistogram.BucketCount];

    public (long, string, string, string, string) Key => (BucketStartMs, Model, ClientKey, Credential, Scope);

    public void Add(UsageRecord record) => Add(record, UsageSchema.ToNanoDollars(record.CostUsd));

    /// <param name="costNanoUsd">The record's cost already converted (the writer converts it once per record).</param>
    public void Add(UsageRecord record, long costNanoUsd)
    {
        Requests++;
        if (record.Outcome == UsageOutcome.Success) Successes++;
        PromptTokens += record.PromptTokens;
        CompletionTokens += record.CompletionTokens;
        CostNanoUsd += costNanoUsd;
        LatencyCount++;
        LatencySumMs += record.LatencyMs;
        LatencyMaxMs = Math.Max(LatencyMaxMs, record.LatencyMs);
        Histogram[LatencyHistogram.BucketOf(record.LatencyMs)]++;
        if (record.TimeToFirstTokenMs is { } ttft)
        {
            TtftCount++;
            TtftSumMs += ttft;
        }
    }

    /// <summary>Adds another row's figures (used when summing groups read back from the database).</summary>
    public void Merge(RollupRow other)
    {
        Requests += other.Requests;
        Successes += other.Successes;
        PromptTokens += other.PromptTokens;
        CompletionTokens += other.CompletionTokens;
        CostNanoUsd += other.CostNanoUsd;
        LatencyCount += other.LatencyCount;
        LatencySumMs += other.LatencySumMs;
        LatencyMaxMs = Math.Max(LatencyMaxMs, other.LatencyMaxMs);
        TtftCount += other.TtftCount;
        TtftSumMs += other.TtftSumMs;
        for (var i = 0; i < Histogram.Length; i++) Histogram[i] += other.Histogram[i];
    }

    public static long HourStart(DateTimeOffset t)
    {
        var ms = t.ToUnixTimeMilliseconds();
        return ms - Mod(ms, 3_600_000);
    }

    public static long DayStart(DateTimeOffset t) => DayStartMs(t.ToUnixTimeMilliseconds());

    public static long DayStartMs(long ms) => ms - Mod(ms, 86_400_000);

    private static long Mod(long a, long b) => ((a % b) + b) % b;
}
