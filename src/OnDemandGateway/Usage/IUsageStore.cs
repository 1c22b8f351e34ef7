namespace OnDemandGateway.Usage;

/// <summary>The storage seam: SQLite by default, PostgreSQL when several instances share the load.
/// Writes arrive in batches from the background writer, never from the request path.</summary>
public interface IUsageStore
{
    /// <summary>"sqlite" or "postgres".</summary>
    string Kind { get; }

    /// <summary>Creates or upgrades the schema. Safe to call from several instances at once.</summary>
    Task MigrateAsync(CancellationToken cancellationToken);

    /// <summary>Persists records and updates the hourly/daily rollups in one transaction.</summary>
    Task WriteAsync(IReadOnlyList<UsageRecord> batch, CancellationToken cancellationToken);

    Task<UsageStats> GetStatsAsync(StatsQuery query, CancellationToken cancellationToken);

    Task<RequestPage> GetRequestsAsync(RequestQuery query, CancellationToken cancellationToken);

    /// <summary>Deletes raw records older than the cut-off; rollups are kept.</summary>
    Task PruneAsync(DateTimeOffset olderThan, CancellationToken cancellationToken);
}

public sealed record StatsQuery(DateTimeOffset? From = null, DateTimeOffset? To = null);

public sealed record RequestQuery(int Page = 1, int PageSize = 50, string? Model = null, string? Key = null, string? Outcome = null);

public sealed record RequestPage(int Page, int PageSize, long Total, IReadOnlyList<UsageRecord> Items);

/// <summary>Totals over a time range. Serialised by <c>/api/stats</c> in snake_case.</summary>
public sealed record UsageStats
{
    public long TotalRequests { get; init; }
    public long SuccessfulRequests { get; init; }
    public long FailedRequests { get; init; }
    public long PromptTokens { get; init; }
    public long CompletionTokens { get; init; }
    public long TotalTokens => PromptTokens + CompletionTokens;
    public decimal EstimatedCostUsd { get; init; }
    public double AverageLatencyMs { get; init; }
    public double P95LatencyMs { get; init; }
    public double AverageTimeToFirstTokenMs { get; init; }
    public IReadOnlyDictionary<string, UsageBreakdown> ByModel { get; init; } = new Dictionary<string, UsageBreakdown>();
    public IReadOnlyDictionary<string, UsageBreakdown> ByAccount { get; init; } = new Dictionary<string, UsageBreakdown>();
    public IReadOnlyDictionary<string, UsageBreakdown> ByKey { get; init; } = new Dictionary<string, UsageBreakdown>();
    /// <summary>One entry per (day, model), oldest first.</summary>
    public IReadOnlyList<UsageBucket> Daily { get; init; } = [];
    /// <summary>One entry per (hour, model), oldest first.</summary>
    public IReadOnlyList<UsageBucket> Hourly { get; init; } = [];
}

public sealed record UsageBreakdown(long Requests, long SuccessfulRequests, long PromptTokens, long CompletionTokens, decimal CostUsd);

public sealed record UsageBucket(DateTimeOffset Start, string Model, long Requests, long SuccessfulRequests, long PromptTokens, long CompletionTokens, decimal CostUsd);
