using OnDemandGateway.Usage;

namespace OnDemandGateway.Tests.TestSupport;

/// <summary>Builds usage records for tests with sensible defaults.</summary>
internal static class SampleUsage
{
    private static int _next;

    public static UsageRecord Record(
        DateTimeOffset timestamp,
        string model = "gpt-4o",
        string key = "test",
        string? credential = "sk-a…1111",
        UsageOutcome outcome = UsageOutcome.Success,
        int promptTokens = 100,
        int completionTokens = 50,
        double latencyMs = 800,
        double? firstTokenMs = null,
        decimal costUsd = 0.001m,
        bool stream = false,
        string? error = null) => new()
    {
        RequestId = "req-" + Interlocked.Increment(ref _next),
        Timestamp = timestamp,
        ClientKey = key,
        Model = model,
        EndpointId = "predefined-" + model,
        Credential = credential,
        Stream = stream,
        Outcome = outcome,
        HttpStatus = outcome == UsageOutcome.Success ? 200 : outcome == UsageOutcome.RateLimited ? 429 : 502,
        PromptTokens = promptTokens,
        CompletionTokens = completionTokens,
        TokenSource = TokenSource.Upstream,
        LatencyMs = latencyMs,
        TimeToFirstTokenMs = firstTokenMs,
        CostUsd = costUsd,
        Error = error,
    };
}
