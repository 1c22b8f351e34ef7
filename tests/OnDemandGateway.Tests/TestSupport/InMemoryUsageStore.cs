using OnDemandGateway.Usage;

namespace OnDemandGateway.Tests.TestSupport;

/// <summary>A test double for <see cref="IUsageStore"/> that computes stats from the raw records, so tests of the
/// APIs and the dashboard can seed data without SQLite. Tests seed through <see cref="WriteAsync"/> only (the
/// interface method), so the real store can replace this one without touching them.</summary>
internal sealed class InMemoryUsageStore : IUsageStore
{
    private readonly List<UsageRecord> _records = [];
    private readonly Lock _gate = new();

    public string Kind => "memory";

    public Task MigrateAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task WriteAsync(IReadOnlyList<UsageRecord> batch, CancellationToken cancellationToken)
    {
        lock (_gate) _records.AddRange(batch);
        return Task.CompletedTask;
    }

    public Task PruneAsync(DateTimeOffset olderThan, CancellationToken cancellationToken)
    {
        lock (_gate) _records.RemoveAll(r => r.Timestamp < olderThan);
        return Task.CompletedTask;
    }

    public Task<UsageStats> GetStatsAsync(StatsQuery query, CancellationToken cancellationToken)
    {
        UsageRecord[] rows;
        lock (_gate)
            rows = _records.Where(r => (query.From is null || r.Timestamp >= query.From) && (query.To is null || r.Timestamp < query.To)).ToArray();

        var latencies = rows.Select(r => r.LatencyMs).Order().ToArray();
        var firstTokens = rows.Where(r => r.TimeToFirstTokenMs is not null).Select(r => r.TimeToFirstTokenMs!.Value).ToArray();
        return Task.FromResult(new UsageStats
        {
            TotalRequests = rows.Length,
            SuccessfulRequests = rows.Count(r => r.Outcome == UsageOutcome.Success),
            FailedRequests = rows.Count(r => r.Outcome != UsageOutcome.Success),
            PromptTokens = rows.Sum(r => (long)r.PromptTokens),
            CompletionTokens = rows.Sum(r => (long)r.CompletionTokens),
            EstimatedCostUsd = rows.Sum(r => r.CostUsd),
            AverageLatencyMs = latencies.Length == 0 ? 0 : latencies.Average(),
            // Nearest-rank percentile.
            P95LatencyMs = latencies.Length == 0 ? 0 : latencies[(int)Math.Ceiling(0.95 * latencies.Length) - 1],
            AverageTimeToFirstTokenMs = firstTokens.Length == 0 ? 0 : firstTokens.Average(),
            ByModel = Breakdown(rows, r => r.Model),
            ByAccount = Breakdown(rows.Where(r => r.Credential is not null), r => r.Credential!),
            ByKey = Breakdown(rows, r => r.ClientKey),
            Daily = Buckets(rows, t => new DateTimeOffset(t.UtcDateTime.Date, TimeSpan.Zero)),
            Hourly = Buckets(rows, t => new DateTimeOffset(t.UtcDateTime.Date.AddHours(t.UtcDateTime.Hour), TimeSpan.Zero)),
        });
    }

    public Task<RequestPage> GetRequestsAsync(RequestQuery query, CancellationToken cancellationToken)
    {
        UsageRecord[] rows;
        lock (_gate)
            rows = _records
                .Where(r => query.Model is null || r.Model == query.Model)
                .Where(r => query.Key is null || r.ClientKey == query.Key)
                .Where(r => query.Outcome is null || string.Equals(r.Outcome.ToString(), query.Outcome, StringComparison.OrdinalIgnoreCase))
                .OrderByDescending(r => r.Timestamp)
                .ToArray();
        var items = rows.Skip((query.Page - 1) * query.PageSize).Take(query.PageSize).ToArray();
        return Task.FromResult(new RequestPage(query.Page, query.PageSize, rows.Length, items));
    }

    private static Dictionary<string, UsageBreakdown> Breakdown(IEnumerable<UsageRecord> rows, Func<UsageRecord, string> keyOf) =>
        rows.GroupBy(keyOf).ToDictionary(g => g.Key, g => new UsageBreakdown(
            g.Count(), g.Count(r => r.Outcome == UsageOutcome.Success), g.Sum(r => (long)r.PromptTokens), g.Sum(r => (long)r.CompletionTokens), g.Sum(r => r.CostUsd)));

    private static List<UsageBucket> Buckets(IEnumerable<UsageRecord> rows, Func<DateTimeOffset, DateTimeOffset> startOf) =>
        rows.GroupBy(r => (Start: startOf(r.Timestamp), r.Model))
            .OrderBy(g => g.Key.Start).ThenBy(g => g.Key.Model, StringComparer.Ordinal)
            .Select(g => new UsageBucket(g.Key.Start, g.Key.Model, g.Count(), g.Count(r => r.Outcome == UsageOutcome.Success),
                g.Sum(r => (long)r.PromptTokens), g.Sum(r => (long)r.CompletionTokens), g.Sum(r => r.CostUsd)))
            .ToList();
}
