namespace OnDemandGateway.Usage.Api;

/// <summary>The <c>/api/stats</c> body: the store's totals plus the writer's queue, which the store cannot know.</summary>
internal sealed record StatsResponse
{
    public long TotalRequests { get; init; }
    public long SuccessfulRequests { get; init; }
    public long FailedRequests { get; init; }
    public long PromptTokens { get; init; }
    public long CompletionTokens { get; init; }
    public long TotalTokens { get; init; }
    public decimal EstimatedCostUsd { get; init; }
    public double AverageLatencyMs { get; init; }
    public double P95LatencyMs { get; init; }
    public double AverageTimeToFirstTokenMs { get; init; }
    public required IReadOnlyDictionary<string, UsageBreakdown> ByModel { get; init; }
    public required IReadOnlyDictionary<string, UsageBreakdown> ByAccount { get; init; }
    public required IReadOnlyDictionary<string, UsageBreakdown> ByKey { get; init; }
    public required IReadOnlyList<UsageBucket> Daily { get; init; }
    public required IReadOnlyList<UsageBucket> Hourly { get; init; }
    public required QueueStatus Queue { get; init; }

    public static StatsResponse From(UsageStats stats, QueueStatus queue) => new()
    {
        TotalRequests = stats.TotalRequests,
        SuccessfulRequests = stats.SuccessfulRequests,
        FailedRequests = stats.FailedRequests,
        PromptTokens = stats.PromptTokens,
        CompletionTokens = stats.CompletionTokens,
        TotalTokens = stats.TotalTokens,
        EstimatedCostUsd = stats.EstimatedCostUsd,
        AverageLatencyMs = stats.AverageLatencyMs,
        P95LatencyMs = stats.P95LatencyMs,
        AverageTimeToFirstTokenMs = stats.AverageTimeToFirstTokenMs,
        ByModel = stats.ByModel,
        ByAccount = stats.ByAccount,
        ByKey = stats.ByKey,
        Daily = stats.Daily,
        Hourly = stats.Hourly,
        Queue = queue,
    };
}
